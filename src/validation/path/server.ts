/**
 * Rules for 'server' validation: the CA/B Forum Baseline Requirements / Web PKI profile as
 * exercised by x509-limbo (RFC 5280 "MUST"s that generic validation tolerates, plus RFC 6125
 * host-name matching). Applied to an already path-validated chain: anchor, intermediates, leaf.
 */
import { type Certificate, certLabel, EXT, KU } from './certificate.js';
import type { GeneralName } from './names.js';
import { ecCurve, keyFamily, publicKey } from './signature.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EKU = '2.5.29.37.0';
const WEB_SIG_ALGS = new Set([
  '1.2.840.113549.1.1.11',
  '1.2.840.113549.1.1.12',
  '1.2.840.113549.1.1.13',
  '1.2.840.113549.1.1.10',
  '1.2.840.10045.4.3.2',
  '1.2.840.10045.4.3.3',
  '1.2.840.10045.4.3.4',
  '1.3.101.112',
]);

/** Returns the first Web PKI rule the chain breaks, or undefined. */
export function serverProfile(
  anchor: Certificate,
  path: readonly Certificate[],
  serverName?: string,
): string | undefined {
  const leaf = path[path.length - 1]!;
  const cas = [anchor, ...path.slice(0, -1)];
  for (const c of [...cas, leaf]) {
    const r = everyCert(c);
    if (r) return `${certLabel(c)}: ${r}`;
  }
  if (!isSelfIssuedAnchor(anchor) && !anchor.ext.aki?.keyId)
    return `trust anchor ${certLabel(anchor)} is cross-signed but has no AKI keyIdentifier (§4.2.1.1)`;
  for (const c of cas) {
    const r = caCert(c, c === anchor);
    if (r) return `CA ${certLabel(c)}: ${r}`;
  }
  for (const c of path) {
    const sn = serialProblem(c);
    if (sn) return sn;
    const k = keyProblem(c);
    if (k) return `${certLabel(c)}: ${k}`;
    if (!WEB_SIG_ALGS.has(c.sigAlg.oid))
      return `${certLabel(c)}: signature algorithm ${c.sigAlg.oid} is not allowed in the Web PKI`;
    if (!c.ext.aki?.keyId) return `${certLabel(c)}: authorityKeyIdentifier keyIdentifier is required (§4.2.1.1)`;
  }
  return leafCert(leaf, serverName);
}

const isSelfIssuedAnchor = (a: Certificate): boolean => a.subject.key === a.issuer.key;

/** §4.1.2.2: positive, at most 20 octets. */
const serialProblem = (c: Certificate): string | undefined =>
  c.serial <= 0n || c.serialBytes.length > 20
    ? `${certLabel(c)}: serial number must be positive and at most 20 octets (§4.1.2.2)`
    : undefined;

/** A target that is itself a trust anchor (a pinned certificate) still has to be a usable server certificate. */
export const pinnedServerProfile = (c: Certificate, serverName?: string): string | undefined =>
  serialProblem(c) ?? everyCert(c) ?? leafCert(c, serverName);

function everyCert(c: Certificate): string | undefined {
  if (c.version !== 3) return 'only v3 certificates are accepted';
  if (c.extensions.get(EXT.AKI)?.critical) return 'authorityKeyIdentifier must not be critical (§4.2.1.1)';
  if (c.extensions.get(EXT.SKI)?.critical) return 'subjectKeyIdentifier must not be critical (§4.2.1.2)';
  if (c.extensions.get(EXT.AIA)?.critical) return 'authorityInfoAccess must not be critical (§4.2.2.1)';
  if (c.issuer.rdns.length === 0) return 'empty issuer name (§4.1.2.4)';
  // §4.2.1.3 / §4.2.1.9: keyCertSign and cA go together (BR 7.1.2.7.8 for leaves).
  const certSign = c.ext.keyUsage !== undefined && (c.ext.keyUsage & (1 << KU.keyCertSign)) !== 0;
  if (certSign && !c.ext.basicConstraints?.ca) return 'keyUsage keyCertSign without basicConstraints cA';
  if (c.ext.basicConstraints?.ca && c.ext.keyUsage !== undefined && !certSign)
    return 'basicConstraints cA without keyUsage keyCertSign';
  const san = c.extensions.get(EXT.SAN);
  if (san && c.subject.rdns.length === 0 && !san.critical)
    return 'subjectAltName must be critical with an empty subject (§4.2.1.6)';
  if (san?.critical && c.subject.rdns.length > 0)
    return 'subjectAltName must not be critical with a non-empty subject (BR 7.1.2.7.12)';
  for (const n of c.ext.san ?? [])
    if (!wellFormed(n, false)) return `malformed subjectAltName entry ${String(n.value)}`;
  const nc = c.ext.nameConstraints;
  for (const n of [...(nc?.permitted ?? []), ...(nc?.excluded ?? [])])
    if (!wellFormed(n, true)) return 'malformed name constraint';
  return undefined;
}

function caCert(c: Certificate, isAnchor: boolean): string | undefined {
  if (c.subject.rdns.length === 0) return 'empty subject (§4.1.2.6)';
  const bc = c.extensions.get(EXT.BASIC_CONSTRAINTS);
  if (!bc || !c.ext.basicConstraints?.ca) return 'basicConstraints with cA is required';
  if (!bc.critical) return 'basicConstraints must be critical in a CA certificate (§4.2.1.9)';
  if (c.ext.keyUsage !== undefined && !(c.ext.keyUsage & (1 << KU.keyCertSign))) return 'keyUsage lacks keyCertSign';
  if (!c.ext.ski) return 'subjectKeyIdentifier is required in CA certificates (§4.2.1.2)';
  if (isAnchor && c.ext.eku) return 'a root must not carry extendedKeyUsage (BR 7.1.2.1)';
  const aki = c.ext.aki;
  if (isAnchor && aki) {
    if (!aki.keyId || aki.hasIssuer || aki.hasSerial) return 'a root AKI must hold only keyIdentifier (BR 7.1.2.1.3)';
    if (!Buffer.from(aki.keyId).equals(c.ext.ski)) return 'root AKI does not match its SKI';
  }
  return undefined;
}

function leafCert(leaf: Certificate, serverName?: string): string | undefined {
  const label = `leaf ${certLabel(leaf)}`;
  if (leaf.ext.nameConstraints) return `${label} carries nameConstraints (§4.2.1.10: CA certificates only)`;
  if (leaf.ext.eku && !leaf.ext.eku.includes(SERVER_AUTH) && !leaf.ext.eku.includes(ANY_EKU))
    return `${label} lacks id-kp-serverAuth`;
  if (serverName === undefined) return undefined;
  const san = leaf.ext.san;
  if (!san) return `${label} has no subjectAltName`;
  return matchesServerName(san, serverName) ? undefined : `${label} is not valid for ${serverName}`;
}

/** BR 6.1.5: RSA of at least 2048 bits, or ECDSA on P-256/P-384/P-521. */
function keyProblem(c: Certificate): string | undefined {
  const family = keyFamily(c.spkiAlg);
  if (family === 'rsa') {
    const bits = publicKey(c.spki).asymmetricKeyDetails?.modulusLength ?? 0;
    return bits >= 2048 ? undefined : `RSA key of ${bits} bits is too small`;
  }
  if (family === 'ec') {
    const curve = ecCurve(c.spkiAlg);
    return curve && WEB_CURVES.has(curve) ? undefined : `EC curve ${curve ?? '(explicit)'} is not allowed`;
  }
  return `${family} keys are not allowed in the Web PKI`;
}
const WEB_CURVES = new Set(['1.2.840.10045.3.1.7', '1.3.132.0.34', '1.3.132.0.35']);

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

function wellFormed(n: GeneralName, constraint: boolean): boolean {
  if (n.kind === 'dns') {
    let v = n.value;
    if (constraint) v = v.startsWith('.') ? v.slice(1) : v;
    else if (v.startsWith('*.')) v = v.slice(2);
    if (constraint && v === '') return true;
    return v.split('.').every((l) => LABEL.test(l));
  }
  if (n.kind === 'ip') {
    if (!constraint) return n.value.length === 4 || n.value.length === 16;
    if (n.value.length !== 8 && n.value.length !== 32) return false;
    const mask = [...n.value.subarray(n.value.length / 2)].map((b) => b.toString(2).padStart(8, '0')).join('');
    return /^1*0*$/.test(mask);
  }
  return true;
}

/** RFC 6125 §6.4: exact match, or a wildcard as the whole left-most label only. */
export function matchesServerName(san: readonly GeneralName[], name: string): boolean {
  const ip = parseIp(name);
  if (ip) return san.some((n) => n.kind === 'ip' && Buffer.from(n.value).equals(ip));
  const host = name.toLowerCase().replace(/\.$/, '');
  return san.some((n) => {
    if (n.kind !== 'dns') return false;
    const pat = n.value.toLowerCase();
    if (pat === host) return true;
    if (!pat.startsWith('*.')) return false;
    const suffix = pat.slice(1);
    const first = host.indexOf('.');
    return first > 0 && host.slice(first) === suffix && suffix.split('.').length > 2;
  });
}

function parseIp(s: string): Buffer | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) return Buffer.from(v4.slice(1).map(Number));
  if (!s.includes(':')) return undefined;
  const [head = '', tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  const groups = [...h, ...fill, ...t];
  if (groups.length !== 8) return undefined;
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) {
    const v = Number.parseInt(g, 16);
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    out.writeUInt16BE(v, i * 2);
  }
  return out;
}
