/**
 * KEY-2 registration of a key made elsewhere: a signer's own key (PKCS#8 or PKCS#12 upload) or one
 * transferred from a CA (wrapped for the transport key, keys/transport.ts). Either way the key is
 * checked against its certificate before it is stored, proven after (the key store signs a fresh
 * challenge that must verify under the certificate), and only then does the signer get an enabled
 * credential. A key that fails is destroyed again at once. Each outcome is logged with who and why;
 * the plaintext key bytes are wiped when done (SIGN-3).
 */
import { X509Certificate } from 'node:crypto';
import { isShomeiError, ShomeiError } from '../errors.js';
import {
  checkKeyChange,
  checkKeyMatchesChain,
  checkTransportKey,
  checkValidityNow,
  type KeyChange,
  type KeyRecord,
  type KeyTransfer,
  proveKeyPossession,
  signingKeyType,
} from '../keys/index.js';
import type { Credential } from '../users/index.js';
import type { LifecycleDeps } from './lifecycle-deps.js';
import { ensureTransportKey } from './transport-key.js';

export interface CredentialOptions {
  readonly description?: string;
  readonly scal?: '1' | '2';
  readonly multisign?: number;
}

export interface KeyImport extends CredentialOptions {
  readonly userId: string;
  /** PKCS#8 DER of the private key: wiped (`fill(0)`) by this call. */
  readonly pkcs8: Buffer;
  /** DER certificates for the key, end-entity first. */
  readonly chain: readonly Buffer[];
  /** Recorded in the log: where the key came from. */
  readonly source: 'pkcs8' | 'pkcs12';
}

export interface KeyTransferImport extends CredentialOptions {
  readonly userId: string;
  readonly transfer: KeyTransfer;
  readonly chain: readonly Buffer[];
}

type Source = KeyImport['source'] | 'transfer';

const EVENT: Record<Source, string> = {
  pkcs8: 'credential.import',
  pkcs12: 'credential.import',
  transfer: 'credential.transfer',
};

/** The stored key gets its chain, proves possession, and becomes the signer's credential. */
async function bind(
  deps: LifecycleDeps,
  key: KeyRecord,
  source: Source,
  req: CredentialOptions & { userId: string; chain: readonly Buffer[] },
  why: KeyChange,
): Promise<{ credential: Credential; serial: string }> {
  const keyType = signingKeyType(key.keyType, { allowEd25519: deps.allowEd25519 });
  let cert: Awaited<ReturnType<LifecycleDeps['keys']['importCertificateChain']>>;
  try {
    cert = await deps.keys.importCertificateChain(key.id, req.chain);
  } catch (e) {
    if (isShomeiError(e) && e.code === 'certificate_mismatch') {
      throw new ShomeiError('proof_of_possession_failed', { detail: e.params.detail ?? 'certificate mismatch' });
    }
    throw e;
  }
  checkValidityNow(cert, deps.clock.now());
  await proveKeyPossession(deps.keys, key.id, keyType, cert.chain[0] as Buffer, deps.random);
  const multisign = req.multisign ?? 1;
  if (multisign > deps.maxBatch) throw new ShomeiError('invalid_parameter', { name: 'multisign' });
  const credential = await deps.users.addCredential(
    {
      userId: req.userId,
      keyId: key.id,
      // The signer sees this (credentials/info); the operator's reason stays in the log.
      description:
        req.description ?? `${keyType} key (${source === 'transfer' ? 'transferred from a CA' : 'imported'})`,
      scal: req.scal ?? '1',
      multisign,
    },
    why.actor,
  );
  return { credential, serial: cert.serialNumber };
}

/** One key, one record: a key already held (not destroyed) is not registered a second time. */
async function refuseDuplicate(deps: LifecycleDeps, key: KeyRecord): Promise<void> {
  const same = (await deps.keys.find({ publicKey: key.publicKey })).find((k) => k.id !== key.id);
  if (same) throw new ShomeiError('conflict', { what: 'this key is already registered' });
}

/** Stores with `store`, then binds; on any refusal the stored key is zeroised and the refusal logged. */
async function register(
  deps: LifecycleDeps,
  source: Source,
  req: CredentialOptions & { userId: string; chain: readonly Buffer[] },
  why: KeyChange,
  store: () => Promise<KeyRecord>,
): Promise<Credential> {
  checkKeyChange(why);
  const facts = { actor: why.actor, reason: why.reason, userId: req.userId, source };
  let key: KeyRecord | undefined;
  try {
    await deps.users.get(req.userId);
    key = await store();
    await refuseDuplicate(deps, key);
    const { credential, serial } = await bind(deps, key, source, req, why);
    await deps.audit.append({
      type: EVENT[source],
      outcome: 'success',
      ...facts,
      credentialID: credential.id,
      keyId: key.id,
      keyType: key.keyType,
      certificateSerial: serial,
    });
    return credential;
  } catch (e) {
    const code = isShomeiError(e) ? e.code : 'internal';
    if (key) await deps.keys.destroy(key.id, { actor: why.actor, reason: `${source} refused: ${code}` });
    await deps.audit.append({ type: EVENT[source], outcome: 'failure', ...facts, keyId: key?.id ?? null, error: code });
    throw e;
  }
}

/** KEY-2: a signer's own key (PKCS#8, or the contents of their PKCS#12) with its certificate chain. */
export function importUserKey(deps: LifecycleDeps, req: KeyImport, why: KeyChange): Promise<Credential> {
  return register(deps, req.source, req, why, async () => {
    try {
      checkKeyMatchesChain(req.pkcs8, req.chain, deps.clock.now());
      return await deps.keys.importPkcs8(req.pkcs8, 'signing');
    } finally {
      req.pkcs8.fill(0);
    }
  });
}

/** The end-entity certificate's SubjectPublicKeyInfo, DER. */
function certifiedKey(chain: readonly Buffer[]): Buffer {
  try {
    return new X509Certificate(chain[0] as Buffer).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'chain' });
  }
}

/** KEY-2: a key a CA wrapped for this service's transport key, with the chain the CA issued for it. */
export function transferKey(deps: LifecycleDeps, req: KeyTransferImport, why: KeyChange): Promise<Credential> {
  return register(deps, 'transfer', req, why, async () => {
    const transport = await ensureTransportKey(deps);
    checkTransportKey(req.transfer, transport.spki);
    // The certified key: a token names the key type before it unwraps (keys/pkcs11/transfer.ts).
    const spki = certifiedKey(req.chain);
    return deps.keys.importWrapped(transport.keyId, req.transfer.wrapped, 'signing', spki, req.transfer.oaepHash);
  });
}
