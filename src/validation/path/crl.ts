/** CertificateList parsing (RFC 5280 §5): the fields §6.3 CRL processing needs. */
import { createHash } from 'node:crypto';
import { type AlgorithmId, parseAlgorithm, parseExtensions } from './certificate.js';
import {
  bigInt,
  bitString,
  bool,
  children,
  DerError,
  expect,
  isContext,
  isUniversal,
  parseDer,
  smallInt,
  TAG,
  time,
} from './der.js';
import { distributionPointName, reasonBits } from './extensions.js';
import { type GeneralName, type Name, parseGeneralNames, parseName } from './names.js';

/** Bigger CRLs are refused rather than parsed (bounded work on hostile input). */
export const MAX_CRL_BYTES = 8 * 1024 * 1024;

const CRL_EXT = {
  CRL_NUMBER: '2.5.29.20',
  DELTA: '2.5.29.27',
  IDP: '2.5.29.28',
  AKI: '2.5.29.35',
  IAN: '2.5.29.18',
  FRESHEST: '2.5.29.46',
  AIA: '1.3.6.1.5.5.7.1.1',
} as const;
const ENTRY_EXT = {
  REASON: '2.5.29.21',
  HOLD: '2.5.29.23',
  INVALIDITY: '2.5.29.24',
  CERT_ISSUER: '2.5.29.29',
} as const;
const KNOWN_CRL = new Set<string>(Object.values(CRL_EXT));
const KNOWN_ENTRY = new Set<string>(Object.values(ENTRY_EXT));

export interface IssuingDistributionPoint {
  readonly fullName?: readonly GeneralName[];
  readonly relative?: Uint8Array;
  readonly onlyUser: boolean;
  readonly onlyCA: boolean;
  readonly onlySomeReasons?: number;
  readonly indirect: boolean;
  readonly onlyAttr: boolean;
  readonly der: Uint8Array;
}

export interface CrlEntry {
  readonly serial: bigint;
  readonly date: Date;
  /** CRLReason code (§5.3.1); 0 when absent. */
  readonly reason: number;
  /** The certificate issuer this entry belongs to (indirect CRLs, §5.3.3). */
  readonly issuer: Name;
}

export interface Crl {
  readonly der: Uint8Array;
  readonly id: string;
  readonly tbs: Uint8Array;
  readonly sigAlg: AlgorithmId;
  readonly tbsSigAlg: AlgorithmId;
  readonly signature: Uint8Array;
  readonly issuer: Name;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly number?: bigint;
  /** deltaCRLIndicator: the base CRL number, when this is a delta CRL. */
  readonly baseNumber?: bigint;
  readonly idp?: IssuingDistributionPoint;
  readonly entries: readonly CrlEntry[];
  /** Set when a critical (entry) extension is not understood: the CRL must not be used (§5.2, §5.3). */
  readonly unusable?: string;
}

export function parseCrl(der: Uint8Array): Crl {
  if (der.length > MAX_CRL_BYTES) throw new DerError('CRL too large');
  const [tbsT, sigAlgT, sigT] = children(expect(parseDer(der), TAG.SEQUENCE, 'CertificateList'));
  const f = children(expect(tbsT, TAG.SEQUENCE, 'TBSCertList'));
  let i = 0;
  if (isUniversal(f[0], TAG.INTEGER)) i++;
  const tbsSigAlg = parseAlgorithm(f[i++]);
  const issuer = parseName(f[i++]!);
  const thisUpdate = time(f[i++]);
  let nextUpdate: Date | undefined;
  if (f[i] && (isUniversal(f[i], TAG.UTC_TIME) || isUniversal(f[i], TAG.GENERALIZED_TIME))) nextUpdate = time(f[i++]);
  const revoked = isUniversal(f[i], TAG.SEQUENCE) ? children(f[i++]!) : [];
  const out: {
    number?: bigint;
    baseNumber?: bigint;
    idp?: IssuingDistributionPoint;
    unusable?: string;
  } = {};
  if (isContext(f[i], 0)) {
    for (const [id, e] of parseExtensions(children(f[i]!)[0]!).map) {
      if (id === CRL_EXT.CRL_NUMBER) out.number = bigInt(parseDer(e.value));
      else if (id === CRL_EXT.DELTA) out.baseNumber = bigInt(parseDer(e.value));
      else if (id === CRL_EXT.IDP) out.idp = parseIdp(e.value);
      else if (e.critical && !KNOWN_CRL.has(id)) out.unusable = `unrecognised critical CRL extension ${id}`;
    }
  }
  let current = issuer;
  const entries: CrlEntry[] = [];
  for (const r of revoked) {
    const [serialT, dateT, extT] = children(expect(r, TAG.SEQUENCE, 'revokedCertificate'));
    let reason = 0;
    if (extT) {
      for (const [id, e] of parseExtensions(extT).map) {
        if (id === ENTRY_EXT.REASON) reason = smallInt(expect(parseDer(e.value), TAG.ENUMERATED, 'CRLReason'));
        else if (id === ENTRY_EXT.CERT_ISSUER && out.idp?.indirect) {
          const dn = parseGeneralNames(parseDer(e.value)).find((g) => g.kind === 'dn');
          if (dn && dn.kind === 'dn') current = dn.value;
        } else if (e.critical && !KNOWN_ENTRY.has(id)) out.unusable = `unrecognised critical CRL entry extension ${id}`;
      }
    }
    entries.push({ serial: bigInt(serialT), date: time(dateT), reason, issuer: current });
  }
  return {
    der,
    id: createHash('sha256').update(der).digest('hex'),
    tbs: tbsT!.der,
    sigAlg: parseAlgorithm(sigAlgT),
    tbsSigAlg,
    signature: bitString(sigT).bytes,
    issuer,
    thisUpdate,
    ...(nextUpdate ? { nextUpdate } : {}),
    ...out,
    entries,
  };
}

function parseIdp(v: Uint8Array): IssuingDistributionPoint {
  const out: {
    fullName?: GeneralName[];
    relative?: Uint8Array;
    onlyUser: boolean;
    onlyCA: boolean;
    onlySomeReasons?: number;
    indirect: boolean;
    onlyAttr: boolean;
  } = { onlyUser: false, onlyCA: false, indirect: false, onlyAttr: false };
  const flag = (t: { value: Uint8Array }) =>
    bool({ cls: 0, tag: TAG.BOOLEAN, constructed: false, der: t.value, value: t.value });
  for (const p of children(expect(parseDer(v), TAG.SEQUENCE, 'IssuingDistributionPoint'))) {
    if (isContext(p, 0)) Object.assign(out, distributionPointName(children(p)[0]));
    else if (isContext(p, 1)) out.onlyUser = flag(p);
    else if (isContext(p, 2)) out.onlyCA = flag(p);
    else if (isContext(p, 3)) out.onlySomeReasons = reasonBits(p.value);
    else if (isContext(p, 4)) out.indirect = flag(p);
    else if (isContext(p, 5)) out.onlyAttr = flag(p);
  }
  return { ...out, der: v };
}
