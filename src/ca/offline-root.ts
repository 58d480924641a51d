/**
 * The offline root (CA-1): after the root has certified the issuing CA, its key leaves the key
 * store — sealed under a passphrase the CA officers hold (scrypt + AES-256-GCM, the signer-backup
 * container) — together with a root CRL valid for months. From then on the running service cannot
 * use the root at all. A ceremony (`shomei ca ceremony`) brings the key back for minutes: it signs
 * a fresh root CRL, and the key is destroyed from the store again. Software key store only: a
 * PKCS#11 root stays in its token, which is what is kept offline there.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import type { AuditSink } from '../audit/event.js';
import { openWithPassphrase, sealWithPassphrase } from '../backup/passphrase.js';
import { ShomeiError } from '../errors.js';
import type { KeyService } from '../keys/index.js';
import type { Random } from '../platform/index.js';
import type { Store } from '../store/index.js';
import type { Crls, PublishedCrl } from './crl.js';
import { type CaAuthority, type LocalCa, ROOT_ID } from './local-ca.js';

const DAY = 86_400_000;
export const DEFAULT_ROOT_CRL_DAYS = 180;

export interface OfflineRootDeps {
  readonly ca: LocalCa;
  readonly crls: Crls;
  readonly keys: KeyService;
  readonly store: Store;
  readonly audit: AuditSink;
  readonly random: Random;
}

function checkDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 400)
    throw new ShomeiError('invalid_parameter', { name: 'crlDays' });
  return days * DAY;
}

async function setRoot(deps: OfflineRootDeps, set: { key_id?: string; status?: 'online' | 'offline' }) {
  await deps.store.db.updateTable('ca_authorities').set(set).where('id', '=', ROOT_ID).execute();
  deps.ca.reload();
}

/** Seals the root key, signs a long root CRL, destroys the key in the store; returns the sealed key. */
export async function takeRootOffline(
  deps: OfflineRootDeps,
  passphrase: string,
  crlDays: number,
  actor: string,
): Promise<{ sealed: string; crl: PublishedCrl }> {
  const validity = checkDays(crlDays);
  await deps.ca.issuing(); // the root's last routine job: certify the issuing CA
  const root = await deps.ca.ensure();
  if (root.status === 'offline') throw new ShomeiError('invalid_state', { detail: 'the root is offline already' });
  const pkcs8 = await deps.keys.exportForBackup(root.keyId);
  let sealed: string;
  try {
    sealed = await sealWithPassphrase(pkcs8, passphrase, deps.random);
  } finally {
    pkcs8.fill(0);
  }
  const crl = await deps.crls.issue(ROOT_ID, validity, true);
  await deps.keys.destroy(root.keyId, { actor, reason: 'CA root taken offline' });
  await setRoot(deps, { status: 'offline' });
  await deps.audit.append({
    type: 'ca.root.offline',
    actor,
    outcome: 'success',
    keyId: root.keyId,
    crlNumber: crl.number,
  });
  return { sealed, crl };
}

/** The root key back for one job: a new root CRL; then destroyed again, whatever happened. */
export async function rootCeremony(
  deps: OfflineRootDeps,
  sealed: string,
  passphrase: string,
  crlDays: number,
  actor: string,
): Promise<PublishedCrl> {
  const validity = checkDays(crlDays);
  const root = await deps.ca.ensure();
  if (root.status !== 'offline') throw new ShomeiError('invalid_state', { detail: 'the root is online' });
  const pkcs8 = await openWithPassphrase(sealed, passphrase);
  let keyId: string | undefined;
  try {
    checkIsRoot(pkcs8, root);
    keyId = (await deps.keys.importPkcs8(pkcs8, 'ca-root')).id;
    await setRoot(deps, { key_id: keyId });
    const crl = await deps.crls.issue(ROOT_ID, validity, true);
    await deps.audit.append({ type: 'ca.root.ceremony', actor, outcome: 'success', crlNumber: crl.number });
    return crl;
  } finally {
    pkcs8.fill(0);
    if (keyId) await deps.keys.destroy(keyId, { actor, reason: 'end of CA root ceremony' });
    deps.ca.reload();
  }
}

function checkIsRoot(pkcs8: Buffer, root: CaAuthority): void {
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({
    type: 'spki',
    format: 'der',
  });
  const certKey = new X509Certificate(root.certificate).publicKey.export({ type: 'spki', format: 'der' });
  if (!spki.equals(certKey)) throw new ShomeiError('backup_invalid');
}
