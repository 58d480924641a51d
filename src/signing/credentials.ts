/**
 * The signer's view of a credential: DB-1 row + DB-2 key + certificate, with the states that decide
 * whether it can sign now. A credential that is not the caller's is reported exactly like an
 * unknown one (USER-5; reference §9 pitfalls 1 and 3).
 */
import { ShomeiError } from '../errors.js';
import { mayUse } from '../users/model.js';
import type { CertificateRecord, CredentialRecord, KeyDescription, Principal, SigningPorts } from './ports.js';

export type CertificateState = 'valid' | 'expired' | 'revoked' | 'suspended' | 'not_yet_valid' | 'none';

export interface CredentialView {
  readonly credential: CredentialRecord;
  readonly key: KeyDescription;
  readonly certificate: CertificateRecord | undefined;
  readonly certificateState: CertificateState;
  /** enabled credential, active key, valid certificate. */
  readonly usable: boolean;
}

export function certificateState(cert: CertificateRecord | undefined, now: number): CertificateState {
  if (!cert) return 'none';
  if (cert.status === 'revoked' || cert.status === 'suspended') return cert.status;
  if (now < cert.notBefore) return 'not_yet_valid';
  if (now > cert.notAfter) return 'expired';
  return 'valid';
}

export async function viewOf(ports: SigningPorts, credential: CredentialRecord): Promise<CredentialView> {
  const [key, certificate] = await Promise.all([
    ports.keys.describe(credential.keyId),
    ports.keys.certificate(credential.keyId),
  ]);
  const state = certificateState(certificate, ports.clock.now());
  return {
    credential,
    key,
    certificate,
    certificateState: state,
    usable: credential.status === 'enabled' && key.active && state === 'valid',
  };
}

export async function ownedCredential(
  ports: SigningPorts,
  principal: Principal,
  credentialId: string,
): Promise<CredentialView> {
  const credential = await ports.credentials.get(credentialId);
  if (!credential || !mayUse(credential, principal.userId)) throw new ShomeiError('invalid_credential');
  return viewOf(ports, credential);
}

/** Refuses a credential that cannot sign now, with the CSC error for the reason. */
export function assertUsable(view: CredentialView): void {
  if (view.credential.status !== 'enabled' || !view.key.active) throw new ShomeiError('credential_disabled');
  if (view.certificateState === 'expired') throw new ShomeiError('certificate_expired');
  if (view.certificateState !== 'valid') throw new ShomeiError('certificate_not_valid');
}

export async function listOwned(
  ports: SigningPorts,
  principal: Principal,
  onlyValid: boolean,
): Promise<CredentialView[]> {
  const rows = await ports.credentials.listForUser(principal.userId);
  const views = await Promise.all(rows.map((r) => viewOf(ports, r)));
  return onlyValid ? views.filter((v) => v.usable) : views;
}
