/**
 * KEY-2 after registration: renew (a new certificate for the same key), re-key (a new key, its
 * CSR and certificate; the old key retired but kept, with its certificate, for the record) and
 * revoke (the certificate, with an RFC 5280 §5.3.1 reason; signing stops at once because every
 * authorize and signHash reads the certificate's status). Each is logged with who and why.
 * Destroying (SIGN-2 zeroisation) is `keys.destroy`, logged by the key service.
 */
import { serialHex } from '../ca/index.js';
import { ShomeiError } from '../errors.js';
import {
  type CertificateInfo,
  checkKeyChange,
  type KeyChange,
  type RevocationReason,
  signingKeyType,
} from '../keys/index.js';
import type { Credential } from '../users/index.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

export { importUserKey, type KeyImport, type KeyTransferImport, transferKey } from './key-import.js';
export { type LifecycleDeps, lifecycleDeps } from './lifecycle-deps.js';
export { ensureTransportKey, type TransportKey } from './transport-key.js';

const DEFAULT_VALIDITY_DAYS = 365;

async function subjectOf(deps: LifecycleDeps, credential: Credential, cert: CertificateInfo | null): Promise<string> {
  if (cert) return cert.subjectDn;
  const user = await deps.users.get(credential.userId);
  return `CN=${user.displayName.replace(/([,+"\\<>;=])/g, '\\$1')}`;
}

/** KEY-2 renew: a new certificate from the local CA for the credential's (active) key. */
export async function renewCredential(
  deps: LifecycleDeps,
  credentialId: string,
  opts: { validityDays?: number },
  why: KeyChange,
): Promise<CertificateInfo> {
  checkKeyChange(why);
  const credential = await deps.users.getCredential(credentialId);
  const old = await deps.keys.certificate(credential.keyId);
  // A revoked certificate's key is not certified again: re-key instead.
  if (old?.status === 'revoked') throw new ShomeiError('invalid_state', { detail: 'certificate revoked; re-key' });
  await deps.ca.issue({
    keyId: credential.keyId,
    subjectDn: await subjectOf(deps, credential, old),
    profile: 'signing',
    validityDays: opts.validityDays ?? DEFAULT_VALIDITY_DAYS,
  });
  const cert = (await deps.keys.certificate(credential.keyId)) as CertificateInfo;
  await deps.audit.append({
    type: 'credential.renew',
    actor: why.actor,
    outcome: 'success',
    reason: why.reason,
    userId: credential.userId,
    credentialID: credential.id,
    keyId: credential.keyId,
    previousSerial: old?.serialNumber ?? null,
    certificateSerial: cert.serialNumber,
  });
  return cert;
}

export interface Rekeyed {
  readonly credential: Credential;
  readonly previousKeyId: string;
  /** PKCS#10 of the new key (KEY-3), for an external CA if one certifies it instead. */
  readonly csr: Buffer;
  readonly certificate: CertificateInfo;
}

/** KEY-2 re-key: new key + CSR + certificate; the credential moves to it; the old key is retired. */
export async function rekeyCredential(
  deps: LifecycleDeps,
  credentialId: string,
  opts: { keyType?: string; validityDays?: number },
  why: KeyChange,
): Promise<Rekeyed> {
  checkKeyChange(why);
  const credential = await deps.users.getCredential(credentialId);
  const oldKey = await deps.keys.get(credential.keyId);
  const keyType = signingKeyType(opts.keyType ?? oldKey.keyType, { allowEd25519: deps.allowEd25519 });
  const subjectDn = await subjectOf(deps, credential, await deps.keys.certificate(oldKey.id));
  const key = await deps.keys.generate(keyType, 'signing');
  let csr: Buffer;
  try {
    csr = await deps.keys.csr(key.id, subjectDn);
    await deps.ca.issue({
      keyId: key.id,
      subjectDn,
      profile: 'signing',
      validityDays: opts.validityDays ?? DEFAULT_VALIDITY_DAYS,
    });
  } catch (e) {
    await deps.keys.destroy(key.id, { actor: why.actor, reason: 're-key failed before the credential moved' });
    throw e;
  }
  const moved = await deps.users.setCredentialKey(credential.id, key.id, why.actor);
  if (oldKey.status === 'active') await deps.keys.retire(oldKey.id, why);
  const certificate = (await deps.keys.certificate(key.id)) as CertificateInfo;
  await deps.audit.append({
    type: 'credential.rekey',
    actor: why.actor,
    outcome: 'success',
    reason: why.reason,
    userId: credential.userId,
    credentialID: credential.id,
    keyId: key.id,
    keyType,
    previousKeyId: oldKey.id,
    certificateSerial: certificate.serialNumber,
  });
  return { credential: moved, previousKeyId: oldKey.id, csr, certificate };
}

/**
 * KEY-2 revoke: the credential's certificate is revoked — signing stops at once (keys/), and a
 * certificate of this service's CA is in its CRL and OCSP at once (ca/); with `destroyKey` the key
 * is zeroised too (SIGN-2 "destroy on revocation").
 */
export async function revokeCredential(
  deps: LifecycleDeps,
  credentialId: string,
  reason: RevocationReason,
  why: KeyChange,
  opts: { destroyKey?: boolean } = {},
): Promise<CertificateInfo> {
  checkKeyChange(why);
  const credential = await deps.users.getCredential(credentialId);
  const cert = await deps.keys.revokeCertificate(credential.keyId, reason, why);
  // CA-2: a certificate of our own CA goes into its CRL and OCSP at once.
  const issued = (await deps.ca.registry.byKey(credential.keyId)).find(
    (c) => c.serial === serialHex(cert.serialNumber) && (c.status === 'good' || c.status === 'hold'),
  );
  if (issued) await deps.ca.revoke(issued.issuer_id, issued.serial, reason, why.actor);
  if (opts.destroyKey) await deps.keys.destroy(credential.keyId, why);
  await deps.audit.append({
    type: 'credential.revoke',
    actor: why.actor,
    outcome: 'success',
    reason: why.reason,
    revocationReason: reason,
    userId: credential.userId,
    credentialID: credential.id,
    keyId: credential.keyId,
    certificateSerial: cert.serialNumber,
    keyDestroyed: opts.destroyKey === true,
  });
  return cert;
}

/** CA-2 release: a credential's certificate on hold is valid again — in keys/, the CRL and OCSP. */
export async function releaseCredential(
  deps: LifecycleDeps,
  credentialId: string,
  why: KeyChange,
): Promise<CertificateInfo> {
  checkKeyChange(why);
  const credential = await deps.users.getCredential(credentialId);
  const cert = await deps.keys.releaseCertificateHold(credential.keyId, why);
  const held = (await deps.ca.registry.byKey(credential.keyId)).find(
    (c) => c.serial === serialHex(cert.serialNumber) && c.status === 'hold',
  );
  if (held) await deps.ca.release(held.issuer_id, held.serial, why.actor);
  await deps.audit.append({
    type: 'credential.release',
    actor: why.actor,
    outcome: 'success',
    reason: why.reason,
    userId: credential.userId,
    credentialID: credential.id,
    keyId: credential.keyId,
    certificateSerial: cert.serialNumber,
  });
  return cert;
}
