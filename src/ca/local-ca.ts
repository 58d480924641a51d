/**
 * A minimal local CA (KEY-3's "built-in CA"): one self-signed root, created once and persisted,
 * issuing signing certificates for keys held by the key service. The full CA (revocation, OCSP,
 * intermediates) comes later; this is enough for a credential to carry a real, verifiable chain.
 */
import { createHash } from 'node:crypto';
import { Certificate } from 'pkijs';
import type { AuditSink } from '../audit/event.js';
import { ShomeiError } from '../errors.js';
import { type KeyService, type KeyType, parseDn, signPkiObject } from '../keys/index.js';
import type { Clock, Random } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { buildCertificate, randomSerial } from './certificate.js';
import {
  authorityKeyIdentifier,
  basicConstraints,
  caIssuers,
  KeyUsageBit,
  keyIdentifier,
  keyUsage,
  subjectKeyIdentifier,
} from './extensions.js';

const DAY = 86_400_000;
const ROOT_ID = 'local-root';

export interface LocalCaOptions {
  readonly store: Store;
  /** CA actions are logged like signatures (SPEC roles: key/CA administrator). */
  readonly audit: AuditSink;
  readonly keys: KeyService;
  readonly clock: Clock;
  readonly random: Random;
  /** Base URL of this service, for the caIssuers pointer in issued certificates. */
  readonly publicUrl: string;
  readonly rootSubjectDn?: string;
  readonly rootKeyType?: Extract<KeyType, 'EC-P384' | 'RSA-3072'>;
  readonly rootValidityDays?: number;
}

export interface CaRoot {
  readonly keyId: string;
  /** DER. */
  readonly certificate: Buffer;
  readonly subjectDn: string;
}

export interface IssueRequest {
  readonly keyId: string;
  readonly subjectDn: string;
  readonly profile: 'signing';
  readonly validityDays: number;
}

export interface LocalCa {
  /** Creates the root on first start; later starts reuse the stored one. */
  ensure(): Promise<CaRoot>;
  /** Issues a certificate for the key and stores the chain [ee, root] with it; returns the DER. */
  issue(req: IssueRequest): Promise<Buffer>;
}

export function createLocalCa(opts: LocalCaOptions): LocalCa {
  let root: Promise<CaRoot> | undefined;
  const ensure = (): Promise<CaRoot> => {
    root ??= loadOrCreateRoot(opts).catch((e) => {
      root = undefined;
      throw e;
    });
    return root;
  };
  return { ensure, issue: async (req) => issue(opts, await ensure(), req) };
}

async function loadRoot(store: Store): Promise<CaRoot | undefined> {
  const r = await store.db.selectFrom('ca_authorities').selectAll().where('id', '=', ROOT_ID).executeTakeFirst();
  return r && { keyId: r.key_id, certificate: Buffer.from(r.certificate), subjectDn: r.subject_dn };
}

async function loadOrCreateRoot(opts: LocalCaOptions): Promise<CaRoot> {
  const existing = await loadRoot(opts.store);
  if (existing) return existing;
  const subjectDn = opts.rootSubjectDn ?? 'CN=shomei local root CA';
  const key = await opts.keys.generate(opts.rootKeyType ?? 'EC-P384', 'ca-root');
  const certificate = await selfSign(opts, key.id, key.publicKey, subjectDn);
  await opts.keys.importCertificateChain(key.id, [certificate]);
  const row = {
    id: ROOT_ID,
    key_id: key.id,
    certificate,
    subject_dn: subjectDn,
    role: 'root',
    created_at: opts.clock.now(),
  };
  await opts.store.db
    .insertInto('ca_authorities')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  // Another instance may have won the race: use its root and zeroise ours.
  const winner = (await loadRoot(opts.store)) as CaRoot;
  if (winner.keyId !== key.id)
    await opts.keys.destroy(key.id, { actor: 'system', reason: 'another instance made the CA root first' });
  else
    await opts.audit.append({
      type: 'ca.root.create',
      actor: 'system',
      outcome: 'success',
      keyId: key.id,
      subjectDN: subjectDn,
      certificateSha256: createHash('sha256').update(certificate).digest('hex'),
    });
  return winner;
}

async function selfSign(opts: LocalCaOptions, keyId: string, spki: Buffer, subjectDn: string): Promise<Buffer> {
  const now = opts.clock.now();
  const name = parseDn(subjectDn);
  const ski = keyIdentifier(spki);
  const cert = buildCertificate({
    serial: randomSerial(opts.random),
    issuer: name,
    subject: name,
    notBefore: now,
    notAfter: now + (opts.rootValidityDays ?? 3650) * DAY,
    spki,
    extensions: [
      basicConstraints(true),
      keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
      subjectKeyIdentifier(ski),
    ],
  });
  return signPkiObject(opts.keys, keyId, cert, (alg) => {
    cert.signature = alg;
  });
}

async function issue(opts: LocalCaOptions, root: CaRoot, req: IssueRequest): Promise<Buffer> {
  const key = await opts.keys.get(req.keyId);
  if (key.status !== 'active') throw new ShomeiError('invalid_state', { detail: `key is ${key.status}` });
  const issuer = Certificate.fromBER(root.certificate);
  const now = opts.clock.now();
  const notAfter = now + req.validityDays * DAY;
  // RFC 5280 §6.1.3 does not forbid outliving the issuer, but validators reject such chains in practice.
  if (!Number.isInteger(req.validityDays) || req.validityDays < 1 || notAfter > issuer.notAfter.value.getTime()) {
    throw new ShomeiError('invalid_parameter', { name: 'validityDays' });
  }
  const cert = buildCertificate({
    serial: randomSerial(opts.random),
    issuer: issuer.subject,
    subject: parseDn(req.subjectDn),
    notBefore: now,
    notAfter,
    spki: key.publicKey,
    extensions: [
      basicConstraints(false),
      keyUsage([KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation]),
      subjectKeyIdentifier(keyIdentifier(key.publicKey)),
      authorityKeyIdentifier(keyIdentifier(new Uint8Array(issuer.subjectPublicKeyInfo.toSchema().toBER(false)))),
      caIssuers(`${opts.publicUrl.replace(/\/+$/, '')}/ca/root.der`),
    ],
  });
  const ee = await signPkiObject(opts.keys, root.keyId, cert, (alg) => {
    cert.signature = alg;
  });
  const info = await opts.keys.importCertificateChain(req.keyId, [ee, root.certificate]);
  await opts.audit.append({
    type: 'certificate.issue',
    actor: 'system',
    outcome: 'success',
    keyId: req.keyId,
    profile: req.profile,
    subjectDN: info.subjectDn,
    serialNumber: info.serialNumber,
  });
  return ee;
}
