/**
 * Asynchronous signing (csc-api-v2.md §5.1 `operationMode: "A"`, §5.3 signPolling) on the client
 * side: the handle signHash returns, one poll, and `waitFor`, which polls at an interval until the
 * signatures are there or the time is up. Sleeping is injected (tests run it without waiting).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CscTransportError } from './errors.js';
import type { Reader } from './read.js';

export interface AsyncOptions {
  /** `validity_period` (ms): how long the service keeps the result (its policy caps it). */
  readonly validityMs?: number;
  /** `response_uri`: where the service posts the result when done. */
  readonly responseUri?: string;
}

/** What an asynchronous signHash answers: pass it to signPolling or waitFor. */
export interface AsyncHandle {
  readonly responseID: string;
  /** Signatures expected, for checking the polled answer. */
  readonly count: number;
}

export type PollResult =
  | { readonly state: 'pending' }
  | { readonly state: 'done'; readonly signatures: readonly Buffer[] };

export interface WaitOptions {
  /** Between polls (default 500 ms). */
  readonly intervalMs?: number;
  /** Give up after about this long (default 60 s): polls × interval, no wall clock needed. */
  readonly timeoutMs?: number;
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => delay(ms);

/** operationMode A fields of a signHash body. */
export function asyncFields(o: AsyncOptions): Record<string, unknown> {
  return {
    operationMode: 'A',
    ...(o.validityMs !== undefined ? { validity_period: o.validityMs } : {}),
    ...(o.responseUri !== undefined ? { response_uri: o.responseUri } : {}),
  };
}

/** A 202 `accepted_request` (§5.3) is pending; anything else must carry one signature per hash. */
export function readPoll(r: Reader, handle: AsyncHandle): PollResult {
  if (r.optStr('error') === 'accepted_request') return { state: 'pending' };
  const signatures = r.binaries('signatures');
  if (signatures.length !== handle.count)
    throw new CscTransportError('bad_response', 'signatures/signPolling: not one signature per hash');
  return { state: 'done', signatures };
}

export async function waitFor(
  poll: () => Promise<PollResult>,
  sleep: Sleep,
  o: WaitOptions = {},
): Promise<readonly Buffer[]> {
  const intervalMs = o.intervalMs ?? 500;
  const polls = Math.max(1, Math.ceil((o.timeoutMs ?? 60_000) / intervalMs));
  for (let i = 0; i < polls; i++) {
    const r = await poll();
    if (r.state === 'done') return r.signatures;
    if (i + 1 < polls) await sleep(intervalMs);
  }
  throw new CscTransportError('timeout', `signatures/signPolling: still pending after ${polls} polls`);
}
