/** Decoders of the certificate extensions path validation uses (RFC 5280 §4.2). */
import type { Decoded, DistributionPoint, Extension, Subtrees } from './certificate.js';
import {
  bit,
  bitString,
  bool,
  children,
  DerError,
  expect,
  isContext,
  isUniversal,
  oid,
  parseDer,
  smallInt,
  TAG,
  type Tlv,
} from './der.js';
import { type GeneralName, parseGeneralName, parseGeneralNames } from './names.js';

export const EXT = {
  SKI: '2.5.29.14',
  KEY_USAGE: '2.5.29.15',
  SAN: '2.5.29.17',
  IAN: '2.5.29.18',
  BASIC_CONSTRAINTS: '2.5.29.19',
  NAME_CONSTRAINTS: '2.5.29.30',
  CRL_DP: '2.5.29.31',
  POLICIES: '2.5.29.32',
  POLICY_MAPPINGS: '2.5.29.33',
  AKI: '2.5.29.35',
  POLICY_CONSTRAINTS: '2.5.29.36',
  EKU: '2.5.29.37',
  FRESHEST_CRL: '2.5.29.46',
  INHIBIT_ANY: '2.5.29.54',
  AIA: '1.3.6.1.5.5.7.1.1',
  SIA: '1.3.6.1.5.5.7.1.11',
} as const;

export const KU = { digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

const seq = (v: Uint8Array, what: string): Tlv[] => children(expect(parseDer(v), TAG.SEQUENCE, what));

export function decodeExtensions(m: ReadonlyMap<string, Extension>): Decoded {
  const get = (o: string): Uint8Array | undefined => m.get(o)?.value;
  const out: Record<string, unknown> = {};
  const v = (o: string, f: (x: Uint8Array) => unknown, key: string) => {
    const x = get(o);
    if (x) out[key] = f(x);
  };
  v(EXT.BASIC_CONSTRAINTS, basicConstraints, 'basicConstraints');
  v(EXT.KEY_USAGE, (x) => keyUsage(parseDer(x)), 'keyUsage');
  v(EXT.EKU, (x) => seq(x, 'ExtKeyUsage').map((t) => oid(t)), 'eku');
  v(EXT.SKI, (x) => expect(parseDer(x), TAG.OCTET_STRING, 'SKI').value, 'ski');
  v(EXT.AKI, aki, 'aki');
  v(EXT.SAN, (x) => parseGeneralNames(expect(parseDer(x), TAG.SEQUENCE, 'SAN')), 'san');
  v(EXT.NAME_CONSTRAINTS, nameConstraints, 'nameConstraints');
  v(EXT.POLICIES, (x) => seq(x, 'certificatePolicies').map((p) => oid(children(p)[0])), 'policies');
  v(
    EXT.POLICY_MAPPINGS,
    (x) =>
      seq(x, 'policyMappings').map((p) => {
        const [a, b] = children(p);
        return [oid(a), oid(b)] as const;
      }),
    'policyMappings',
  );
  const pc = get(EXT.POLICY_CONSTRAINTS);
  if (pc) {
    for (const c of seq(pc, 'PolicyConstraints')) {
      if (isContext(c, 0)) out['requireExplicitPolicy'] = smallInt(c);
      else if (isContext(c, 1)) out['inhibitPolicyMapping'] = smallInt(c);
      else throw new DerError('bad PolicyConstraints');
    }
  }
  v(EXT.INHIBIT_ANY, (x) => smallInt(expect(parseDer(x), TAG.INTEGER, 'SkipCerts')), 'inhibitAnyPolicy');
  v(EXT.CRL_DP, (x) => seq(x, 'CRLDistributionPoints').map(distributionPoint), 'crlDps');
  const aia = get(EXT.AIA);
  if (aia) out['ocspUrls'] = accessUrls(aia, '1.3.6.1.5.5.7.48.1');
  out['crlUrls'] = ((out['crlDps'] as DistributionPoint[] | undefined) ?? []).flatMap((d) =>
    (d.fullName ?? []).flatMap((n) => (n.kind === 'uri' ? [n.value] : [])),
  );
  return out as Decoded;
}

function basicConstraints(x: Uint8Array): Decoded['basicConstraints'] {
  const parts = seq(x, 'BasicConstraints');
  let ca = false;
  let k = 0;
  if (isUniversal(parts[0], TAG.BOOLEAN)) ca = bool(parts[k++]);
  const pl = parts[k];
  return pl ? { ca, pathLen: smallInt(expect(pl, TAG.INTEGER, 'pathLenConstraint')) } : { ca };
}

function keyUsage(t: Tlv): number {
  const { bytes } = bitString(t);
  let mask = 0;
  for (let b = 0; b < 9; b++) if (bit(bytes, b)) mask |= 1 << b;
  return mask;
}

function aki(x: Uint8Array): Decoded['aki'] {
  const parts = seq(x, 'AuthorityKeyIdentifier');
  const keyId = parts.find((p) => isContext(p, 0))?.value;
  const base = { hasIssuer: parts.some((p) => isContext(p, 1)), hasSerial: parts.some((p) => isContext(p, 2)) };
  return keyId ? { ...base, keyId } : base;
}

function subtrees(t: Tlv): GeneralName[] {
  // GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
  return children(t).map((st) => {
    const [base, ...rest] = children(expect(st, TAG.SEQUENCE, 'GeneralSubtree'));
    if (rest.length > 0) throw new DerError('minimum/maximum must be absent (§4.2.1.10)');
    return parseGeneralName(base!);
  });
}

function nameConstraints(x: Uint8Array): Subtrees {
  const out: { permitted?: GeneralName[]; excluded?: GeneralName[] } = {};
  const parts = seq(x, 'NameConstraints');
  if (parts.length === 0) throw new DerError('empty NameConstraints (§4.2.1.10)');
  for (const p of parts) {
    const list = subtrees(p);
    if (list.length === 0) throw new DerError('empty GeneralSubtrees');
    if (isContext(p, 0)) out.permitted = list;
    else if (isContext(p, 1)) out.excluded = list;
    else throw new DerError('bad NameConstraints');
  }
  return out;
}

export function distributionPoint(t: Tlv): DistributionPoint {
  const out: { fullName?: GeneralName[]; relative?: Uint8Array; reasons?: number; crlIssuer?: GeneralName[] } = {};
  for (const p of children(expect(t, TAG.SEQUENCE, 'DistributionPoint'))) {
    if (isContext(p, 0)) Object.assign(out, distributionPointName(children(p)[0]));
    else if (isContext(p, 1)) out.reasons = reasonBits(p.value);
    else if (isContext(p, 2)) out.crlIssuer = parseGeneralNames(p);
  }
  return out;
}

export function distributionPointName(n: Tlv | undefined): { fullName?: GeneralName[]; relative?: Uint8Array } {
  if (n && isContext(n, 0)) return { fullName: parseGeneralNames(n) };
  if (n && isContext(n, 1)) return { relative: Uint8Array.from([0x31, ...n.der.subarray(1)]) };
  throw new DerError('bad DistributionPointName');
}

/** ReasonFlags (§4.2.1.13) from an implicitly tagged BIT STRING's content. */
export function reasonBits(v: Uint8Array): number {
  const bytes = v.subarray(1);
  let mask = 0;
  for (let b = 0; b < 9; b++) if (bit(bytes, b)) mask |= 1 << b;
  return mask;
}

function accessUrls(x: Uint8Array, method: string): string[] {
  return seq(x, 'AuthorityInfoAccess').flatMap((ad) => {
    const [m, loc] = children(ad);
    if (!loc || !isContext(loc, 6)) return [];
    return oid(m) === method ? [new TextDecoder('latin1').decode(loc.value)] : [];
  });
}
