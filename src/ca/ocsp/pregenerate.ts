/**
 * Pre-generation (CA-2, seed 004; B5): the response of every unexpired certificate of one CA,
 * signed in batches — one key-service call per batch — and kept in the cache and the directory.
 * Run after start, then every half validity, so that a CDN's copies never go stale.
 */
import { ShomeiError } from '../../errors.js';
import type { Clock } from '../../platform/index.js';
import type { Store } from '../../store/index.js';
import type { Answers } from './answers.js';
import { canonicalCertId, SHA1 } from './cert-id.js';
import type { KnownIssuer } from './issuers.js';
import { certStatusOf } from './response.js';

export interface PregenerateOptions {
  /** Responses per signing call (default 500). */
  readonly batchSize?: number;
  /** After each batch: certificates done, and how many there are. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PregenerateResult {
  readonly count: number;
  readonly seconds: number;
}

export interface PregenerateDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly issuer: KnownIssuer | undefined;
  readonly epoch: () => number;
  readonly signAndKeep: Answers['signAndKeep'];
}

// The registry's rows read directly, a page at a time in serial order (keyset pagination on the
// primary key), so that millions of certificates never sit in memory at once.
const live = (store: Store, issuerId: string, now: number) =>
  store.db.selectFrom('ca_certificates').where('issuer_id', '=', issuerId).where('not_after', '>', now);

export async function pregenerate(deps: PregenerateDeps, opts: PregenerateOptions = {}): Promise<PregenerateResult> {
  const { issuer, store } = deps;
  if (!issuer) throw new ShomeiError('invalid_parameter', { name: 'issuerId' });
  const sha1 = issuer.hashes.find((h) => h.hash === SHA1);
  if (!sha1) throw new Error('no SHA-1 CertID hashes');
  const started = performance.now();
  const id = issuer.authority.id;
  const now = deps.clock.now();
  const counted = await live(store, id, now)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  const total = Number(counted.n);
  let done = 0;
  // Two batches in flight, so that one is signed (key store workers) while the other is written
  // out and the next page is read.
  const inFlight: Promise<void>[] = [];
  for (let after = ''; ; ) {
    const epoch = deps.epoch();
    const rows = await live(store, id, now)
      .select(['serial', 'status', 'revocation_reason', 'revoked_at'])
      .where('serial', '>', after)
      .orderBy('serial')
      .limit(opts.batchSize ?? 500)
      .execute();
    if (rows.length === 0) break;
    after = (rows.at(-1) as (typeof rows)[number]).serial;
    const items = rows.map((r) => ({
      serial: r.serial,
      certId: canonicalCertId(sha1, r.serial),
      status: certStatusOf(r),
    }));
    const batch = deps.signAndKeep(issuer, items, epoch).then(() => {
      done += rows.length;
      opts.onProgress?.(done, total);
    });
    batch.catch(() => {}); // awaited (and thrown) below; not an unhandled rejection meanwhile
    inFlight.push(batch);
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return { count: done, seconds: (performance.now() - started) / 1000 };
}
