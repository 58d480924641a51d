/**
 * The CA's authorities (CA-1): the root, self-signed and persisted, and the issuing CA it
 * certifies; made once, on first use, by whichever instance gets there first.
 */
import { createHash } from 'node:crypto';
import { Certificate } from 'pkijs';
import { parseDn, signPkiObject } from '../keys/index.js';
import type { Store } from '../store/index.js';
import { buildCertificate, randomSerial } from './certificate.js';
import { basicConstraints, KeyUsageBit, keyIdentifier, keyUsage, subjectKeyIdentifier } from './extensions.js';
import { recordIssued, signUnder } from './issuance.js';
import { type CaAuthority, type CaRoot, DAY, type LocalCaOptions } from './model.js';
import { type IssuerUrls, PROFILES } from './profiles.js';
import type { Registry } from './registry.js';

export async function load(store: Store, id: string): Promise<CaAuthority | undefined> {
  const r = await store.db.selectFrom('ca_authorities').selectAll().where('id', '=', id).executeTakeFirst();
  return (
    r && {
      id: r.id,
      keyId: r.key_id,
      certificate: Buffer.from(r.certificate),
      subjectDn: r.subject_dn,
      role: r.role === 'root' ? 'root' : 'issuing',
      parentId: r.parent_id,
      status: r.status === 'offline' ? 'offline' : 'online',
    }
  );
}

/** Loads the authority or makes it; of two instances racing, one row wins and the loser's key is destroyed. */
export async function loadOrCreate(
  opts: LocalCaOptions,
  id: string,
  make: () => Promise<Omit<CaAuthority, 'id' | 'status'>>,
): Promise<CaAuthority> {
  const existing = await load(opts.store, id);
  if (existing) return existing;
  const made = await make();
  await opts.store.db
    .insertInto('ca_authorities')
    .values({
      id,
      key_id: made.keyId,
      certificate: made.certificate,
      subject_dn: made.subjectDn,
      role: made.role,
      parent_id: made.parentId,
      created_at: opts.clock.now(),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const winner = (await load(opts.store, id)) as CaAuthority;
  if (winner.keyId !== made.keyId)
    await opts.keys.destroy(made.keyId, { actor: 'system', reason: `another instance made ${id} first` });
  else
    await opts.audit.append({
      type: made.role === 'root' ? 'ca.root.create' : 'ca.issuing.create',
      actor: 'system',
      outcome: 'success',
      authorityId: id,
      keyId: made.keyId,
      subjectDN: made.subjectDn,
      certificateSha256: createHash('sha256').update(made.certificate).digest('hex'),
    });
  return winner;
}

export async function createRoot(opts: LocalCaOptions): Promise<Omit<CaAuthority, 'id' | 'status'>> {
  const subjectDn = opts.rootSubjectDn ?? 'CN=shomei local root CA';
  const key = await opts.keys.generate(opts.rootKeyType ?? 'EC-P384', 'ca-root');
  const now = opts.clock.now();
  const name = parseDn(subjectDn);
  const cert = buildCertificate({
    serial: randomSerial(opts.random),
    issuer: name,
    subject: name,
    notBefore: now,
    notAfter: now + (opts.rootValidityDays ?? 3650) * DAY,
    spki: key.publicKey,
    extensions: [
      basicConstraints(true),
      keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
      subjectKeyIdentifier(keyIdentifier(key.publicKey)),
    ],
  });
  const certificate = await signPkiObject(opts.keys, key.id, cert, (alg) => {
    cert.signature = alg;
  });
  await opts.keys.importCertificateChain(key.id, [certificate]);
  return { keyId: key.id, certificate, subjectDn, role: 'root', parentId: null };
}

export async function createIssuing(
  opts: LocalCaOptions,
  root: CaRoot,
  registry: Registry,
  rootUrls: IssuerUrls,
  policies: readonly string[],
): Promise<Omit<CaAuthority, 'id' | 'status'>> {
  const subjectDn = opts.issuingSubjectDn ?? 'CN=shomei issuing CA 1';
  const key = await opts.keys.generate('EC-P384', 'ca-issuing');
  const rootCert = Certificate.fromBER(root.certificate);
  // Half the root's remaining life, at most the profile's: the issuing CA is renewed under the same root.
  const now = opts.clock.now();
  const left = rootCert.notAfter.value.getTime() - now;
  const notAfter = now + Math.min(PROFILES['issuing-ca'].maxValidityDays * DAY, Math.floor(left / 2));
  const certificate = await signUnder(opts, root, {
    subjectDn,
    spki: key.publicKey,
    notAfter,
    extensions: PROFILES['issuing-ca'].extensions({ urls: rootUrls, policies }),
  });
  await opts.keys.importCertificateChain(key.id, [certificate, root.certificate]);
  await recordIssued(registry, root.id, certificate, subjectDn, key.id, 'issuing-ca');
  return { keyId: key.id, certificate, subjectDn, role: 'issuing', parentId: root.id };
}
