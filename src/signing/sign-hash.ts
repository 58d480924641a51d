/**
 * `signatures/signHash` as a pipeline (DESIGN.md "A signHash request"): the credential → the
 * algorithm table → the SAD spent atomically for exactly these hashes → the key signs each digest
 * as given → one log entry per signature, durable → only then the signatures (LOG-3).
 */
import { createHash } from 'node:crypto';
import type { AuditValue } from '../audit/event.js';
import { isShomeiError, ShomeiError } from '../errors.js';
import { assertUsable, type CredentialView, ownedCredential } from './credentials.js';
import type { Principal, ResolvedSignature, SigningPorts } from './ports.js';

export interface SignHashInput {
  readonly credentialId: string;
  readonly sad?: string;
  readonly hashes: readonly Buffer[];
  readonly hashAlgorithmOID?: string;
  readonly signAlgo: string;
  readonly signAlgoParams?: Buffer;
}

/**
 * Asynchronous mode (csc-api-v2.md §5.1 `operationMode: "A"`): `accepted` is called once every
 * check has passed and the SAD is spent, so the caller can answer with a `responseID` while the key
 * signs; a refusal before that point still reaches the caller at once.
 */
export interface SigningHooks {
  accepted?(): void;
}

/** What every signature's log entry says besides its hash (LOG-1). */
export interface SignatureFacts {
  readonly actor: string;
  readonly credentialID: string;
  readonly clientId: string;
  readonly sessionId: string;
  readonly signAlgo: string;
}

/**
 * The key signs each digest as given, then one durable log entry per signature, and only then are
 * the signatures returned (LOG-3). `extra(i)` adds what the caller knows of signature i (signDoc:
 * the document's digest and the format).
 */
export async function signAndLog<R extends ResolvedSignature>(
  ports: SigningPorts<R>,
  view: CredentialView,
  facts: SignatureFacts,
  resolved: R,
  digests: readonly Buffer[],
  sadId: string,
  extra: (i: number) => Record<string, AuditValue> = () => ({}),
): Promise<Buffer[]> {
  const signatures = await ports.keys.signDigests(view.credential.keyId, resolved, digests);
  await Promise.all(
    signatures.map((sig, i) =>
      ports.audit.append({
        type: 'signature.create',
        outcome: 'success',
        ...facts,
        ...extra(i),
        keyId: view.credential.keyId,
        sadId,
        hashAlgorithmOID: resolved.hash.oid,
        hash: (digests[i] as Buffer).toString('base64'),
        signatureSha256: createHash('sha256').update(sig).digest('hex'),
      }),
    ),
  );
  return signatures;
}

/** A refusal not already logged by the SAD service is logged here (LOG-1: failures too). */
export async function logRefusal(
  ports: SigningPorts,
  facts: SignatureFacts,
  e: unknown,
  loggedBySadService: boolean,
): Promise<void> {
  if (loggedBySadService && isShomeiError(e) && e.status < 500) return;
  await ports.audit.append({
    type: 'signature.refused',
    outcome: 'failure',
    ...facts,
    reason: isShomeiError(e) ? e.code : 'internal',
  });
}

export async function signaturesSignHash<R extends ResolvedSignature>(
  ports: SigningPorts<R>,
  principal: Principal,
  input: SignHashInput,
  hooks: SigningHooks = {},
): Promise<Buffer[]> {
  const facts: SignatureFacts = {
    actor: principal.userId,
    credentialID: input.credentialId,
    clientId: principal.clientId,
    sessionId: principal.sessionId,
    signAlgo: input.signAlgo,
  };
  // Refusals from the SAD service are logged there (sad.refused); the rest are logged here.
  let refusalsLoggedBySadService = false;
  try {
    const view = await ownedCredential(ports, principal, input.credentialId);
    assertUsable(view);
    const resolved = ports.keys.resolve(view.key.keyType, {
      signAlgo: input.signAlgo,
      ...(input.hashAlgorithmOID ? { hashAlgorithmOID: input.hashAlgorithmOID } : {}),
      ...(input.signAlgoParams ? { signAlgoParams: input.signAlgoParams } : {}),
    });
    if (input.hashes.length === 0) throw new ShomeiError('empty_hash_array');
    if (input.hashes.some((h) => h.length !== resolved.hash.length)) throw new ShomeiError('invalid_digest_length');
    if (!input.sad) throw new ShomeiError('missing_string', { name: 'SAD' });
    refusalsLoggedBySadService = true;
    const { sadId } = await ports.sads.spend({
      sad: input.sad,
      principal,
      credentialId: input.credentialId,
      hashes: input.hashes,
      hashAlgorithmOID: resolved.hash.oid,
    });
    hooks.accepted?.();
    return await signAndLog(ports, view, facts, resolved, input.hashes, sadId);
  } catch (e) {
    await logRefusal(ports, facts, e, refusalsLoggedBySadService);
    throw e;
  }
}
