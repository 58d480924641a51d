/**
 * Spending a SAD (AUTH-3): one transaction that starts with the conditional UPDATE on the SAD row —
 * every binding, the count and the expiry in its WHERE clause — so on PostgreSQL it takes the row
 * lock and concurrent spenders serialise; SQLite has a single writer. For a hash-bound SAD, each
 * requested hash occurrence then claims one unspent matching `sad_hashes` row; a miss throws and
 * the whole spend rolls back (pitfall 2). Refusals are diagnosed afterwards and logged here.
 */
import { ShomeiError } from '../errors.js';
import type { Tx } from '../store/index.js';
import { isOpaque, sha256Hex } from './opaque.js';
import type { SadDeps, SadGrant, SadSpendRequest } from './sad.js';

export async function spendSad(deps: SadDeps, req: SadSpendRequest): Promise<SadGrant> {
  const n = req.hashes.length;
  if (n === 0) throw new ShomeiError('empty_hash_array');
  const sadHash = isOpaque(req.sad) ? sha256Hex(req.sad) : undefined;
  const now = deps.clock.now();
  try {
    if (!sadHash) throw new ShomeiError('invalid_sad');
    return await deps.store.transaction((tx) => spendIn(tx, req, sadHash, now));
  } catch (e) {
    if (!(e instanceof ShomeiError)) throw e;
    const refusal = await diagnose(deps, req, sadHash, now, e);
    await deps.audit.append({
      type: 'sad.refused',
      actor: req.principal.userId,
      outcome: 'failure',
      reason: refusal.error.code,
      sadId: refusal.sadId,
      credentialId: req.credentialId,
      userId: req.principal.userId,
      clientId: req.principal.clientId,
      sessionId: req.principal.sessionId,
      numSignatures: n,
    });
    throw refusal.error;
  }
}

/** Raised inside the transaction when the conditional UPDATE matched nothing; diagnosed after rollback. */
class NoMatch extends ShomeiError {
  constructor() {
    super('invalid_sad');
  }
}

async function spendIn(tx: Tx, req: SadSpendRequest, sadHash: string, now: number): Promise<SadGrant> {
  const p = req.principal;
  const n = req.hashes.length;
  const sad = await tx
    .updateTable('sads')
    .set((eb) => ({ remaining: eb('remaining', '-', n) }))
    .where('sad_hash', '=', sadHash)
    .where('remaining', '>=', n)
    .where('expires_at', '>', now)
    .where('credential_id', '=', req.credentialId)
    .where('user_id', '=', p.userId)
    .where('client_id', '=', p.clientId)
    .where('session_id', '=', p.sessionId)
    .where((eb) => eb.or([eb('hash_algorithm_oid', 'is', null), eb('hash_algorithm_oid', '=', req.hashAlgorithmOID)]))
    .returning(['id', 'bound', 'hash_algorithm_oid'])
    .executeTakeFirst();
  if (!sad) throw new NoMatch();
  if (sad.bound === 1) {
    await claimHashes(
      tx,
      sad.id,
      req.hashes.map((h) => h.toString('base64')),
      now,
    );
  }
  // A credential disabled after authorisation (or its user terminated) signs nothing more.
  const cred = await tx
    .selectFrom('credentials')
    .select('status')
    .where('id', '=', req.credentialId)
    .executeTakeFirst();
  if (cred?.status !== 'enabled') throw new ShomeiError('credential_disabled');
  return { sadId: sad.id, hashAlgorithmOID: sad.hash_algorithm_oid };
}

/**
 * Marks one unspent authorised occurrence per requested occurrence; the SAD row lock taken by the
 * conditional UPDATE makes the sub-select race-free. One statement per round: round k claims the
 * k-th occurrence of every hash requested at least k times (almost always a single round).
 */
async function claimHashes(tx: Tx, sadId: string, hashes: readonly string[], now: number): Promise<void> {
  const wanted = new Map<string, number>();
  for (const h of hashes) wanted.set(h, (wanted.get(h) ?? 0) + 1);
  // Each round removes at least one wanted occurrence, so this ends.
  while (wanted.size > 0) {
    const batch = [...wanted.keys()];
    const res = await tx
      .updateTable('sad_hashes')
      .set({ spent_at: now })
      .where('sad_id', '=', sadId)
      .where('idx', 'in', (eb) =>
        eb
          .selectFrom('sad_hashes')
          .select((e) => e.fn.min<number>('idx').as('idx'))
          .where('sad_id', '=', sadId)
          .where('spent_at', 'is', null)
          .where('hash', 'in', batch)
          .groupBy('hash'),
      )
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== batch.length) throw new ShomeiError('hash_not_authorized');
    for (const h of batch) {
      const left = (wanted.get(h) ?? 0) - 1;
      if (left > 0) wanted.set(h, left);
      else wanted.delete(h);
    }
  }
}

interface Refusal {
  readonly error: ShomeiError;
  readonly sadId: string | null;
}

/**
 * Why the conditional UPDATE matched nothing. A SAD bound to anyone or anything else reads as
 * unknown (invalid_sad): the caller must not learn that it exists (pitfall 1).
 */
async function diagnose(
  deps: SadDeps,
  req: SadSpendRequest,
  sadHash: string | undefined,
  now: number,
  e: ShomeiError,
): Promise<Refusal> {
  const row = sadHash
    ? await deps.store.db.selectFrom('sads').selectAll().where('sad_hash', '=', sadHash).executeTakeFirst()
    : undefined;
  if (!(e instanceof NoMatch)) return { error: e, sadId: row?.id ?? null };
  if (!row) return { error: new ShomeiError('invalid_sad'), sadId: null };
  const p = req.principal;
  const ours =
    row.credential_id === req.credentialId &&
    row.user_id === p.userId &&
    row.client_id === p.clientId &&
    row.session_id === p.sessionId;
  if (!ours) return { error: new ShomeiError('invalid_sad'), sadId: row.id };
  if (row.expires_at <= now) return { error: new ShomeiError('sad_expired'), sadId: row.id };
  if (row.hash_algorithm_oid !== null && row.hash_algorithm_oid !== req.hashAlgorithmOID)
    return { error: new ShomeiError('hash_algorithm_contradicts'), sadId: row.id };
  if (row.remaining > 0 && row.remaining < req.hashes.length)
    return { error: new ShomeiError('too_many_signatures'), sadId: row.id };
  return { error: new ShomeiError('sad_spent'), sadId: row.id };
}
