/**
 * Signature Activation Data (AUTH-3, AUTH-5; csc-api-v2.md §4.3, §9 pitfalls 1, 2, 5). A SAD is an
 * opaque handle to a server-side row bound to one credential, one user, one client, one session,
 * a count and an expiry — and, when hashes are given (always for SCAL2), to those exact hashes,
 * one `sad_hashes` row per occurrence so a digest authorised once is signed once. Only the
 * handle's SHA-256 is stored. Checking the factors (PIN, OTP, …) is the caller's step before this.
 */
import type { Insertable } from 'kysely';
import type { AuditSink } from '../audit/event.js';
import { ShomeiError } from '../errors.js';
import type { Clock, Random } from '../platform/index.js';
import type { SadsTable, Store } from '../store/index.js';
import { type Credential, mayUse } from '../users/index.js';
import { newOpaque, sha256Hex } from './opaque.js';
import type { Principal } from './principal.js';
import { spendSad } from './sad-spend.js';

export interface SadDeps {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly random: Random;
  readonly sadTtlSeconds: number;
}

export interface SadRequest {
  readonly principal: Principal;
  readonly credential: Credential;
  readonly numSignatures: number;
  /** Raw digests, already length-checked at the edge. Required for SCAL2. */
  readonly hashes?: readonly Buffer[];
  readonly hashAlgorithmOID?: string;
}

/** The CSC credentials/authorize result. */
export interface SignatureActivationData {
  readonly sad: string;
  /** Seconds. */
  readonly expiresIn: number;
}

export interface SadSpendRequest {
  readonly sad: string;
  readonly principal: Principal;
  readonly credentialId: string;
  readonly hashes: readonly Buffer[];
  /** The hash algorithm of these digests; a SAD authorised for another one refuses them (AUTH-3). */
  readonly hashAlgorithmOID: string;
}

/** What a spent SAD grants the signing step: exactly these hashes, with this algorithm. */
export interface SadGrant {
  readonly sadId: string;
  readonly hashAlgorithmOID: string | null;
}

/** Room for a later asynchronous mode (authorizeCheck / pending handles) to add methods. */
export interface SadService {
  issueSad(req: SadRequest): Promise<SignatureActivationData>;
  spendSad(req: SadSpendRequest): Promise<SadGrant>;
}

function checkRequest(req: SadRequest): void {
  const { credential: c, principal: p, numSignatures: n, hashes } = req;
  // Another user's credential looks unknown (pitfall 1, 3).
  if (!mayUse(c, p.userId)) throw new ShomeiError('invalid_credential');
  if (c.status !== 'enabled') throw new ShomeiError('credential_disabled');
  if (!Number.isInteger(n) || n < 1) throw new ShomeiError('invalid_num_signatures');
  if (n > c.multisign) throw new ShomeiError('too_many_signatures');
  // SCAL2 (CEN EN 419 241-1): the hashes are fixed at authorisation.
  if (c.scal === '2' && (hashes === undefined || hashes.length === 0))
    throw new ShomeiError('missing_array', { name: 'hashes' });
  if (hashes !== undefined && hashes.length > 0) {
    if (hashes.length !== n) throw new ShomeiError('invalid_num_signatures');
    if (!req.hashAlgorithmOID) throw new ShomeiError('missing_string', { name: 'hashAlgorithmOID' });
  }
}

function sadRow(req: SadRequest, id: string, sadHash: string, now: number, ttlSeconds: number): Insertable<SadsTable> {
  const bound = req.hashes !== undefined && req.hashes.length > 0;
  return {
    id,
    sad_hash: sadHash,
    credential_id: req.credential.id,
    user_id: req.principal.userId,
    client_id: req.principal.clientId,
    session_id: req.principal.sessionId,
    hash_algorithm_oid: req.hashAlgorithmOID ?? null,
    num_signatures: req.numSignatures,
    remaining: req.numSignatures,
    bound: bound ? 1 : 0,
    expires_at: now + ttlSeconds * 1000,
    created_at: now,
  };
}

export function createSadService(deps: SadDeps): SadService {
  const { store, audit, clock, random } = deps;

  async function issueSad(req: SadRequest): Promise<SignatureActivationData> {
    checkRequest(req);
    const { principal: p, credential: c } = req;
    const hashes = req.hashes ?? [];
    const sad = newOpaque(random);
    const id = random.uuid();
    const now = clock.now();
    // AUTH-5: the credential's policy may shorten the window one authorisation stays usable.
    const ttl = Math.min(deps.sadTtlSeconds, c.sadTtlSeconds ?? deps.sadTtlSeconds);
    const row = sadRow(req, id, sha256Hex(sad), now, ttl);
    await store.transaction(async (tx) => {
      await tx.insertInto('sads').values(row).execute();
      // One row per occurrence: [A, A] authorises A twice, [A] once (pitfall 2).
      const rows = hashes.map((h, idx) => ({ sad_id: id, idx, hash: h.toString('base64'), spent_at: null }));
      if (rows.length > 0) await tx.insertInto('sad_hashes').values(rows).execute();
    });
    await audit.append({
      type: 'sad.issue',
      actor: p.userId,
      outcome: 'success',
      sadId: id,
      credentialId: c.id,
      userId: p.userId,
      clientId: p.clientId,
      sessionId: p.sessionId,
      numSignatures: req.numSignatures,
      bound: hashes.length > 0,
    });
    return { sad, expiresIn: ttl };
  }

  return { issueSad, spendSad: (req) => spendSad(deps, req) };
}
