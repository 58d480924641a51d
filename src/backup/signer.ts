/**
 * Signer backup (BACKUP-1): a signer's keys, certificates and credential settings, sealed under a
 * key derived from a passphrase only the signer knows (passphrase.ts). The service cannot open it;
 * restoring into a service re-imports each key (DB-2) and re-creates the credentials (DB-1).
 * Keys that cannot leave their store (HSM, non-extractable) are refused, not skipped silently.
 */
import type { App } from '../app.js';
import { ShomeiError } from '../errors.js';
import { openWithPassphrase, sealWithPassphrase } from './passphrase.js';

export const SIGNER_BACKUP_FORMAT = 'shomei-signer-backup/v1';

interface BackedUpCredential {
  readonly credentialID: string;
  readonly description: string;
  readonly scal: '1' | '2';
  readonly multisign: number;
  /** AUTH-4: the factors authorisation requires (absent in backups made before they existed: PIN). */
  readonly factors?: readonly string[];
  readonly keyType: string;
  /** base64 PKCS#8. */
  readonly pkcs8: string;
  /** base64 DER, end-entity first. */
  readonly chain: readonly string[];
}

interface Payload {
  readonly format: typeof SIGNER_BACKUP_FORMAT;
  readonly username: string;
  readonly createdAt: string;
  readonly credentials: readonly BackedUpCredential[];
}

async function collect(app: App, userId: string): Promise<BackedUpCredential[]> {
  const out: BackedUpCredential[] = [];
  for (const c of await app.users.listCredentials(userId)) {
    const key = await app.keys.get(c.keyId);
    if (key.status !== 'active') continue;
    const pkcs8 = await app.keys.exportForBackup(c.keyId);
    const cert = await app.keys.certificate(c.keyId);
    out.push({
      credentialID: c.id,
      description: c.description,
      scal: c.scal,
      multisign: c.multisign,
      factors: c.factors,
      keyType: key.keyType,
      pkcs8: pkcs8.toString('base64'),
      chain: (cert?.chain ?? []).map((d) => d.toString('base64')),
    });
    pkcs8.fill(0);
  }
  return out;
}

export async function backupSigner(app: App, username: string, passphrase: string, actor: string): Promise<string> {
  const user = await app.users.findByUsername(username);
  if (!user) throw new ShomeiError('unknown_user');
  const credentials = await collect(app, user.id);
  const payload: Payload = {
    format: SIGNER_BACKUP_FORMAT,
    username,
    createdAt: new Date(app.platform.clock.now()).toISOString(),
    credentials,
  };
  const plain = Buffer.from(JSON.stringify(payload), 'utf8');
  try {
    const sealed = await sealWithPassphrase(plain, passphrase, app.platform.random);
    await app.audit.append({
      type: 'backup.signer.export',
      actor,
      outcome: 'success',
      userId: user.id,
      credentials: credentials.map((c) => c.credentialID),
    });
    return sealed;
  } finally {
    plain.fill(0);
  }
}

/** Re-imports every key of the backup for `username` (an existing user); returns new credential ids. */
export async function restoreSigner(app: App, sealed: string, passphrase: string, actor: string): Promise<string[]> {
  const plain = await openWithPassphrase(sealed, passphrase);
  let payload: Payload;
  try {
    payload = JSON.parse(plain.toString('utf8')) as Payload;
  } finally {
    plain.fill(0);
  }
  if (payload.format !== SIGNER_BACKUP_FORMAT) throw new ShomeiError('backup_invalid');
  const user = await app.users.findByUsername(payload.username);
  if (!user) throw new ShomeiError('unknown_user');
  const restored: string[] = [];
  for (const c of payload.credentials) {
    const key = await app.keys.importPkcs8(Buffer.from(c.pkcs8, 'base64'), 'signing');
    if (c.chain.length > 0)
      await app.keys.importCertificateChain(
        key.id,
        c.chain.map((b) => Buffer.from(b, 'base64')),
      );
    const cred = await app.users.addCredential(
      { userId: user.id, keyId: key.id, description: c.description, scal: c.scal, multisign: c.multisign },
      actor,
    );
    // A credential that needed PIN + TOTP must not come back weaker.
    if (c.factors && c.factors.join(',') !== cred.factors.join(',')) {
      await app.users.setCredentialFactors(cred.id, c.factors, actor);
    }
    restored.push(cred.id);
  }
  await app.audit.append({
    type: 'backup.signer.restore',
    actor,
    outcome: 'success',
    userId: user.id,
    from: payload.credentials.map((c) => c.credentialID),
    credentials: restored,
  });
  return restored;
}
