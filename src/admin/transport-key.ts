/**
 * The service's transport key (KEY-2 transfer from a CA): RSA-3072, generated in the key store with
 * purpose `transport` and usage 'unwrap', made on first use and published at `GET /keys/transport`
 * with a certificate (keyUsage keyEncipherment, RFC 5280 §4.2.1.3). Where the key can sign (the
 * software key store) the certificate is self-signed, which also shows the CA that the service
 * holds the private key; where it only unwraps (PKCS#11, CKA_SIGN=false) the local CA issues it.
 */
import { Certificate } from 'pkijs';
import { buildCertificate, randomSerial } from '../ca/certificate.js';
import {
  authorityKeyIdentifier,
  basicConstraints,
  keyIdentifier,
  keyUsage,
  subjectKeyIdentifier,
} from '../ca/extensions.js';
import { ShomeiError } from '../errors.js';
import { parseDn, signPkiObject, TRANSPORT_KEY_TYPE, TRANSPORT_PURPOSE } from '../keys/index.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

const DAY = 86_400_000;
const SUBJECT = 'CN=shomei key transport';
const VALIDITY_DAYS = 3 * 365;
/** RFC 5280 §4.2.1.3 KeyUsage bit 2. */
const KEY_ENCIPHERMENT = 2;

export interface TransportKey {
  readonly keyId: string;
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Buffer;
  /** Self-signed certificate, DER. */
  readonly certificate: Buffer;
}

async function current(deps: LifecycleDeps): Promise<TransportKey | undefined> {
  // The oldest active one: two instances racing on first use agree on it.
  const key = (await deps.keys.find({ purpose: TRANSPORT_PURPOSE })).find((k) => k.status === 'active');
  if (!key) return undefined;
  const cert = await deps.keys.certificate(key.id);
  if (!cert?.chain[0]) return undefined;
  return { keyId: key.id, spki: key.publicKey, certificate: cert.chain[0] };
}

/** Who signs the transport key's certificate: the key itself, or the local CA where it cannot sign. */
async function issuerOf(deps: LifecycleDeps, self: { id: string; publicKey: Buffer }) {
  if (deps.keys.unwrapKeysSign) return { keyId: self.id, name: parseDn(SUBJECT), spki: self.publicKey, chain: [] };
  const root = await deps.ca.ensure();
  const cert = Certificate.fromBER(root.certificate);
  const spki = Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  return { keyId: root.keyId, name: cert.subject, spki, chain: [root.certificate] };
}

async function create(deps: LifecycleDeps): Promise<string> {
  const key = await deps.keys.generate(TRANSPORT_KEY_TYPE, TRANSPORT_PURPOSE, 'unwrap');
  const issuer = await issuerOf(deps, key);
  const now = deps.clock.now();
  const cert = buildCertificate({
    serial: randomSerial(deps.random),
    issuer: issuer.name,
    subject: parseDn(SUBJECT),
    notBefore: now,
    notAfter: now + VALIDITY_DAYS * DAY,
    spki: key.publicKey,
    extensions: [
      basicConstraints(false),
      keyUsage([KEY_ENCIPHERMENT]),
      subjectKeyIdentifier(keyIdentifier(key.publicKey)),
      ...(issuer.keyId === key.id ? [] : [authorityKeyIdentifier(keyIdentifier(issuer.spki))]),
    ],
  });
  const der = await signPkiObject(deps.keys, issuer.keyId, cert, (alg) => {
    cert.signature = alg;
  });
  await deps.keys.importCertificateChain(key.id, [der, ...issuer.chain]);
  return key.id;
}

/**
 * The transport key, made on first use. Remembered per key service, so the public GET costs no
 * query and concurrent first requests make one key (until a restart; there is no rotation yet).
 */
const known = new WeakMap<object, Promise<TransportKey>>();

export function ensureTransportKey(deps: LifecycleDeps): Promise<TransportKey> {
  let p = known.get(deps.keys);
  if (!p) {
    p = findOrCreate(deps);
    known.set(deps.keys, p);
    p.catch(() => known.delete(deps.keys));
  }
  return p;
}

async function findOrCreate(deps: LifecycleDeps): Promise<TransportKey> {
  // No transport key is published that could not be used (a key store without importWrapped).
  if (!deps.keys.acceptsTransfers) {
    throw new ShomeiError('invalid_state', { detail: 'this key store does not accept transferred keys' });
  }
  const existing = await current(deps);
  if (existing) return existing;
  const mine = await create(deps);
  const winner = (await current(deps)) as TransportKey;
  if (winner.keyId !== mine) {
    await deps.keys.destroy(mine, { actor: 'system', reason: 'another instance made the transport key first' });
  } else {
    await deps.audit.append({
      type: 'key.transport.create',
      actor: 'system',
      outcome: 'success',
      keyId: mine,
      keyType: TRANSPORT_KEY_TYPE,
    });
  }
  return winner;
}
