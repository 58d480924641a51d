/**
 * The parsed view of an X.509 certificate the validator works on (RFC 5280 §4.1, §4.2). Parsing is
 * done once per input; every later check reads these typed fields.
 */
import { createHash } from 'node:crypto';
import {
  bigInt,
  bitString,
  bool,
  children,
  DerError,
  expect,
  hex,
  isContext,
  oid,
  parseDer,
  smallInt,
  TAG,
  type Tlv,
  time,
} from './der.js';
import { decodeExtensions } from './extensions.js';
import { formatName, type GeneralName, type Name, parseName } from './names.js';

export interface AlgorithmId {
  readonly oid: string;
  /** DER of the parameters, if present. */
  readonly params?: Tlv;
  readonly der: Uint8Array;
}
export interface Extension {
  readonly critical: boolean;
  readonly value: Uint8Array;
}
export interface Subtrees {
  readonly permitted?: readonly GeneralName[];
  readonly excluded?: readonly GeneralName[];
}
export interface DistributionPoint {
  readonly fullName?: readonly GeneralName[];
  /** DER of the RDN SET for nameRelativeToCRLIssuer. */
  readonly relative?: Uint8Array;
  /** Reason bits (§5.3.1 order), undefined = all reasons. */
  readonly reasons?: number;
  readonly crlIssuer?: readonly GeneralName[];
}

export interface Certificate {
  readonly der: Uint8Array;
  /** sha256 of the DER, for de-duplication. */
  readonly id: string;
  readonly version: number;
  readonly serial: bigint;
  readonly serialBytes: Uint8Array;
  readonly tbs: Uint8Array;
  readonly tbsSigAlg: AlgorithmId;
  readonly sigAlg: AlgorithmId;
  readonly signature: Uint8Array;
  readonly issuer: Name;
  readonly subject: Name;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly spki: Uint8Array;
  readonly spkiAlg: AlgorithmId;
  readonly publicKeyBits: Uint8Array;
  readonly extensions: ReadonlyMap<string, Extension>;
  readonly duplicateExtension: boolean;
  readonly ext: Decoded;
}

export interface Decoded {
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLen?: number };
  /** keyUsage bits as a bitmask (bit 0 = digitalSignature). */
  readonly keyUsage?: number;
  readonly eku?: readonly string[];
  readonly ski?: Uint8Array;
  readonly aki?: { readonly keyId?: Uint8Array; readonly hasIssuer: boolean; readonly hasSerial: boolean };
  readonly san?: readonly GeneralName[];
  readonly nameConstraints?: Subtrees;
  readonly policies?: readonly string[];
  readonly policyMappings?: readonly (readonly [string, string])[];
  readonly requireExplicitPolicy?: number;
  readonly inhibitPolicyMapping?: number;
  readonly inhibitAnyPolicy?: number;
  readonly crlDps?: readonly DistributionPoint[];
  readonly ocspUrls?: readonly string[];
  readonly crlUrls?: readonly string[];
}

export { EXT, KU } from './extensions.js';

export function parseAlgorithm(t: Tlv | undefined): AlgorithmId {
  const [o, params] = children(expect(t, TAG.SEQUENCE, 'AlgorithmIdentifier'));
  return params ? { oid: oid(o), params, der: t!.der } : { oid: oid(o), der: t!.der };
}

export function parseExtensions(t: Tlv): { map: Map<string, Extension>; duplicate: boolean } {
  const map = new Map<string, Extension>();
  let duplicate = false;
  for (const e of children(expect(t, TAG.SEQUENCE, 'Extensions'))) {
    const parts = children(expect(e, TAG.SEQUENCE, 'Extension'));
    const id = oid(parts[0]);
    const critical = parts.length === 3 ? bool(parts[1]) : false;
    const value = expect(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue').value;
    if (map.has(id)) duplicate = true;
    map.set(id, { critical, value });
  }
  return { map, duplicate };
}

export function parseCertificate(der: Uint8Array): Certificate {
  const [tbsT, sigAlgT, sigT, extra] = children(expect(parseDer(der), TAG.SEQUENCE, 'Certificate'));
  if (extra || !tbsT) throw new DerError('bad Certificate');
  const f = children(expect(tbsT, TAG.SEQUENCE, 'TBSCertificate'));
  let i = 0;
  let version = 1;
  if (isContext(f[0], 0)) {
    version = smallInt(children(f[0])[0]) + 1;
    i++;
  }
  const serialT = expect(f[i++], TAG.INTEGER, 'serialNumber');
  const tbsSigAlg = parseAlgorithm(f[i++]);
  const issuer = parseName(f[i++]!);
  const [nb, na] = children(expect(f[i++], TAG.SEQUENCE, 'Validity'));
  const subject = parseName(f[i++]!);
  const spkiT = expect(f[i++], TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  const [spkiAlgT, keyT] = children(spkiT);
  let extensions = new Map<string, Extension>();
  let duplicate = false;
  for (; i < f.length; i++) {
    if (isContext(f[i], 3)) ({ map: extensions, duplicate } = parseExtensions(children(f[i]!)[0]!));
  }
  return {
    der,
    id: createHash('sha256').update(der).digest('hex'),
    version,
    serial: bigInt(serialT),
    serialBytes: serialT.value,
    tbs: tbsT.der,
    tbsSigAlg,
    sigAlg: parseAlgorithm(sigAlgT),
    signature: bitString(sigT).bytes,
    issuer,
    subject,
    notBefore: time(nb),
    notAfter: time(na),
    spki: spkiT.der,
    spkiAlg: parseAlgorithm(spkiAlgT),
    publicKeyBits: bitString(keyT).bytes,
    extensions,
    duplicateExtension: duplicate,
    ext: decodeExtensions(extensions),
  };
}

/** How a certificate is named in reasons: its subject DN and serial number. */
export const certLabel = (c: Certificate): string => `"${formatName(c.subject)}" (serial ${hex(c.serialBytes)})`;
