/**
 * CSC asynchronous mode (csc-api-v2.md §5.1 `operationMode: "A"`, §5.3 `signatures/signPolling`)
 * as a wrapper around the synchronous domain calls, never a second copy of them: the call runs
 * until its `accepted` hook (every check passed, SAD spent) — a refusal before that is the caller's
 * answer, as in synchronous mode — and then finishes in the background while the caller gets a
 * responseID. The result is sealed in the database (seal.ts) until fetched once or expired.
 */
import type { AuditSink } from '../../audit/event.js';
import { catalogue, type ErrorCode, isShomeiError, ShomeiError, toCscBody } from '../../errors.js';
import type { Clock, Random } from '../../platform/index.js';
import type { Store } from '../../store/index.js';
import type { Principal } from '../ports.js';
import { checkResponseUri, fetchPostJson, type PostJson } from './notify.js';
import { type AsyncKind, asyncResults } from './results.js';
import { handleId, NONCE_LENGTH, open, seal } from './seal.js';

export interface AsyncSigningOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly random: Random;
  readonly audit: AuditSink;
  /** validity_period when the client sends none (ms; default 10 minutes). */
  readonly defaultValidityMs?: number;
  /** The largest validity_period accepted (ms; default 1 hour): larger is out of bounds. */
  readonly maxValidityMs?: number;
  /** response_uri delivery (default: fetch). */
  readonly post?: PostJson;
  readonly notifyTimeoutMs?: number;
  /** Allow http://127.0.0.1 / localhost / [::1] response URIs (tests, same-host clients). */
  readonly allowLoopbackHttp?: boolean;
}

export interface AsyncRequest {
  readonly kind: AsyncKind;
  /** CSC `validity_period`, in milliseconds (csc-api-v2.md §5.1). */
  readonly validityMs?: number;
  readonly responseUri?: string;
}

export type PollResult = { readonly state: 'pending' } | { readonly state: 'done'; readonly body: unknown };

/** The synchronous call: it calls `accepted` once only the signing itself remains. */
export type AsyncRun = (accepted: () => void) => Promise<unknown>;

export interface AsyncSigning {
  /** Runs `run` to its acceptance point and returns the responseID; throws its refusals. */
  start(principal: Principal, req: AsyncRequest, run: AsyncRun): Promise<string>;
  /** signatures/signPolling for the user and client that started the request. */
  poll(principal: Principal, responseId: string): Promise<PollResult>;
  /** Resolves when every background completion (and delivery) has finished. */
  idle(): Promise<void>;
}

/** A stored failure code is rethrown when it needs no parameters; otherwise a generic one. */
function failureOf(code: string | null): ShomeiError {
  const known = code !== null && code in catalogue ? (code as ErrorCode) : undefined;
  if (known && typeof catalogue[known].description === 'string') return new ShomeiError(known);
  return new ShomeiError('async_signing_failed');
}

export function createAsyncSigning(o: AsyncSigningOptions): AsyncSigning {
  const results = asyncResults(o.store);
  const defaultMs = o.defaultValidityMs ?? 600_000;
  const maxMs = o.maxValidityMs ?? 3_600_000;
  const post = o.post ?? fetchPostJson;
  const inFlight = new Set<Promise<void>>();
  const factsOf = (p: Principal, id: string) => ({
    actor: p.userId,
    clientId: p.clientId,
    sessionId: p.sessionId,
    requestIdHash: id,
  });

  async function deliver(responseId: string, uri: string, p: Principal, payload: object, from: 'done' | 'failed') {
    const id = handleId(responseId);
    let reason: string;
    try {
      const status = await post(uri, { responseID: responseId, ...payload }, o.notifyTimeoutMs ?? 5000);
      if (status >= 200 && status < 300) {
        // Delivered: that was the one fetch (a later poll hears "already fetched").
        await results.claim(id, from);
        await o.audit.append({ type: 'signature.async.deliver', outcome: 'success', ...factsOf(p, id) });
        return;
      }
      reason = `http_${status}`;
    } catch (e) {
      reason = e instanceof Error ? e.name : 'error';
    }
    // Failed delivery: logged, and the result stays pollable.
    await o.audit.append({ type: 'signature.async.deliver', outcome: 'failure', ...factsOf(p, id), reason });
  }

  async function complete(responseId: string, p: Principal, work: Promise<unknown>, uri: URL | undefined) {
    const id = handleId(responseId);
    let payload: object;
    let outcome: { body: Buffer } | { errorCode: string };
    try {
      const body = (await work) as object;
      payload = body;
      outcome = { body: seal(responseId, Buffer.from(JSON.stringify(body)), o.random.bytes(NONCE_LENGTH)) };
    } catch (e) {
      const code = isShomeiError(e) ? e.code : 'internal';
      payload = toCscBody(failureOf(code));
      outcome = { errorCode: code };
    }
    const kept = await results.settle(id, o.clock.now(), outcome);
    await o.audit.append({
      type: 'signature.async.complete',
      outcome: 'body' in outcome ? 'success' : 'failure',
      ...factsOf(p, id),
      ...('errorCode' in outcome ? { reason: outcome.errorCode } : {}),
      kept,
    });
    if (kept && uri) await deliver(responseId, uri.href, p, payload, 'body' in outcome ? 'done' : 'failed');
  }

  return {
    async start(principal, req, run) {
      const validityMs = req.validityMs ?? defaultMs;
      if (validityMs <= 0 || validityMs > maxMs) throw new ShomeiError('async_validity_out_of_bounds');
      const uri =
        req.responseUri === undefined ? undefined : checkResponseUri(req.responseUri, o.allowLoopbackHttp ?? false);
      const now = o.clock.now();
      await results.purge(now);
      const responseId = o.random.bytes(32).toString('base64url');
      const id = handleId(responseId);
      const expiresAt = now + validityMs;
      await results.insert(
        { id, userId: principal.userId, clientId: principal.clientId, kind: req.kind, expiresAt },
        now,
      );
      let accept: () => void = () => {};
      const accepted = new Promise<void>((resolve) => {
        accept = resolve;
      });
      const work = run(() => accept());
      try {
        await Promise.race([accepted, work]);
      } catch (e) {
        // Refused before acceptance: the synchronous answer, already logged by the domain call.
        await results.remove(id);
        throw e;
      }
      const job = complete(responseId, principal, work, uri).catch(() => {
        // The audit log or database failed after acceptance: the row expires on its own.
      });
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
      await o.audit.append({
        type: 'signature.async.accept',
        outcome: 'success',
        ...factsOf(principal, id),
        kind: req.kind,
        expiresAt,
        notify: uri !== undefined,
      });
      return responseId;
    },

    async poll(principal, responseId) {
      const now = o.clock.now();
      await results.purge(now);
      const id = handleId(responseId);
      const row = await results.get(id);
      const facts = factsOf(principal, id);
      const refuse = async (code: ErrorCode): Promise<never> => {
        await o.audit.append({ type: 'signature.async.fetch', outcome: 'failure', ...facts, reason: code });
        throw new ShomeiError(code);
      };
      // Another user's or client's handle is indistinguishable from an unknown one.
      if (!row || row.userId !== principal.userId || row.clientId !== principal.clientId) {
        return refuse('async_unknown_request');
      }
      if (row.status === 'pending') return { state: 'pending' };
      if (row.status === 'expired') return refuse('async_result_expired');
      if (row.status === 'fetched' || !(await results.claim(id, row.status))) return refuse('async_result_fetched');
      if (row.status === 'failed' || !row.body) {
        const err = failureOf(row.errorCode);
        await o.audit.append({ type: 'signature.async.fetch', outcome: 'failure', ...facts, reason: err.code });
        throw err;
      }
      const body: unknown = JSON.parse(open(responseId, row.body).toString('utf8'));
      await o.audit.append({ type: 'signature.async.fetch', outcome: 'success', ...facts, kind: row.kind });
      return { state: 'done', body };
    },

    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
