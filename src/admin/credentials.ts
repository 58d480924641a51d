/**
 * Creating a signing credential is three independent steps (KEY-3, seed 000): a key generated in
 * the key store, a certificate for it from the CA, and the DB-1 mapping of the user to the key.
 */
import type { App } from '../app.js';
import type { AuditSink } from '../audit/index.js';
import { type LocalCa, serialHex } from '../ca/index.js';
import { ShomeiError } from '../errors.js';
import { type KeyService, type KeyType, keyTypeInfo } from '../keys/index.js';
import type { Actor, Credential, Users } from '../users/index.js';

export interface NewSigningCredential {
  readonly userId: string;
  readonly keyType: string;
  readonly description?: string;
  readonly scal?: '1' | '2';
  readonly multisign?: number;
  /** RFC 4514; defaults to CN=<display name>. */
  readonly subjectDn?: string;
  /** 'signing' (a natural person, sole control) or 'seal' (an organisation, SEAL-1). */
  readonly profile?: 'signing' | 'seal';
  readonly validityDays?: number;
}

export interface CredentialAdminDeps {
  readonly keys: KeyService;
  readonly ca: LocalCa;
  readonly users: Users;
  readonly audit: AuditSink;
  readonly allowEd25519: boolean;
  readonly maxBatch: number;
}

/** The dependencies as the running service has them. */
export function credentialAdminDeps(app: App): CredentialAdminDeps {
  return {
    keys: app.keys,
    ca: app.ca,
    users: app.users,
    audit: app.audit,
    allowEd25519: app.config.signing.allowEd25519,
    maxBatch: app.config.signing.maxBatch,
  };
}

const escapeRdn = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1');

export async function createSigningCredential(
  deps: CredentialAdminDeps,
  req: NewSigningCredential,
  actor: Actor,
): Promise<Credential> {
  const info = keyTypeInfo(req.keyType, { allowEd25519: deps.allowEd25519 });
  // signHash signs digests; pure Ed25519 cannot (it hashes the message itself).
  if (info.family === 'ed25519')
    throw new ShomeiError('unsupported_algorithm', { detail: 'Ed25519 cannot sign hashes' });
  const multisign = req.multisign ?? 1;
  if (multisign > deps.maxBatch) throw new ShomeiError('invalid_parameter', { name: 'multisign' });
  const user = await deps.users.get(req.userId);
  const key = await deps.keys.generate(info.name as KeyType, 'signing');
  await deps.ca.issue({
    keyId: key.id,
    subjectDn: req.subjectDn ?? `CN=${escapeRdn(user.displayName)}`,
    profile: req.profile ?? 'signing',
    validityDays: req.validityDays ?? 365,
  });
  const credential = await deps.users.addCredential(
    {
      userId: user.id,
      keyId: key.id,
      description: req.description ?? `${info.name} signing key`,
      scal: req.scal ?? '1',
      multisign,
    },
    actor,
  );
  const cert = await deps.keys.certificate(key.id);
  await deps.audit.append({
    type: 'credential.create',
    actor,
    outcome: 'success',
    userId: user.id,
    credentialID: credential.id,
    keyId: key.id,
    keyType: info.name,
    certificateSerial: cert?.serialNumber ?? null,
  });
  return credential;
}

/**
 * SEAL-1: names (or removes) an operator of an organisation's e-seal credential — someone who may
 * use it with their own authentication, each use logged under their name. Only a credential whose
 * current certificate was issued with the seal profile can have operators: a natural person's
 * signing key stays under their sole control.
 */
export async function setSealOperator(
  deps: CredentialAdminDeps,
  credentialId: string,
  operatorId: string,
  allowed: boolean,
  actor: Actor,
): Promise<Credential> {
  const credential = await deps.users.getCredential(credentialId);
  const cert = await deps.keys.certificate(credential.keyId);
  const issued = (await deps.ca.registry.byKey(credential.keyId)).find(
    (c) => cert !== null && c.serial === serialHex(cert.serialNumber),
  );
  if (allowed && issued?.profile !== 'seal')
    throw new ShomeiError('invalid_state', { detail: 'only an e-seal credential (seal profile) can have operators' });
  return deps.users.setCredentialOperator(credentialId, operatorId, allowed, actor);
}
