/**
 * The OCSP responder (CA-2; RFC 6960 with RFC 5019's profile) as a pipeline: parse the request →
 * find which of our CAs each CertID names → look the serial up in the registry → reuse a
 * pre-generated answer or sign one → respond. Protocol failures are OCSPResponse statuses.
 *
 * Single-CertID answers are signed once and reused until half their validity has passed
 * (answers.ts), optionally also written to a directory a CDN serves. A status change drops and
 * re-signs them at once; changes made by another process are found by `reconcile`, which runs
 * every `reconcileMs` once started (status-changes.ts).
 *
 * Nonces (RFC 6960 §4.4.1) are ignored: a pre-generated answer cannot echo one, and RFC 5019 §4
 * and RFC 9654 §2.1 (which obsoletes RFC 8954) let a responder answer without it. A request with a
 * nonce gets the same answer as one without; its thisUpdate is at most half the validity old.
 */
import type { KeyService } from '../../keys/index.js';
import type { Clock } from '../../platform/index.js';
import type { Store } from '../../store/index.js';
import type { LocalCa } from '../local-ca.js';
import { serialHex } from '../registry.js';
import { createAnswers } from './answers.js';
import { type CachedResponse, cachedResponse } from './cache.js';
import { createIssuerIndex, type KnownIssuer } from './issuers.js';
import { type PregenerateOptions, type PregenerateResult, pregenerate } from './pregenerate.js';
import { type CertId, MalformedRequest, parseOcspRequest } from './request.js';
import { certStatusOf, failureResponse, type SingleAnswer } from './response.js';
import { createSigners } from './signer.js';
import { createChangeLog, createReconciler } from './status-changes.js';

const HOUR = 3_600_000;

export interface OcspResponderDeps {
  readonly ca: LocalCa;
  readonly keys: KeyService;
  readonly store: Store;
  readonly clock: Clock;
  /** nextUpdate − thisUpdate of every response (default 24 h). */
  readonly validityMs?: number;
  /** Certificates whose answers stay in memory (default 50,000; about 1 KB each). */
  readonly cacheEntries?: number;
  /** Also write answers here, one file per issuerKeyHash/serial (response-dir.ts); off when absent. */
  readonly dir?: string;
  /** How often, once started, changes made by other processes are looked for (default 30 s; 0: never). */
  readonly reconcileMs?: number;
  readonly responderSubjectDn?: string;
  /** Failures answered with internalError, or that only cost a re-signing later. */
  readonly onError?: (err: unknown, context: string) => void;
}

/** What the HTTP edge sends: a response, with its validity when it may be cached. */
export type OcspAnswer = (CachedResponse | { readonly der: Buffer }) & {
  /** A signature was made for this answer (it was not kept already): counted against the asker. */
  readonly signed?: true;
};

export interface RespondOptions {
  /** false: answer only what is kept already, tryLater otherwise (the asker's budget is spent). */
  readonly maySign?: boolean;
}

export interface OcspResponder {
  /** Never throws: every failure is an OCSPResponse status. */
  respond(request: Uint8Array, opts?: RespondOptions): Promise<OcspAnswer>;
  /** LocalCa.onStatusChange listener: drops and re-signs the certificate's answers. Never throws. */
  statusChanged(issuerId: string, serial: string): Promise<void>;
  /** Signs the answer of every unexpired certificate of one CA, in batches (B5). */
  pregenerate(issuerId: string, opts?: PregenerateOptions): Promise<PregenerateResult>;
  /** Looks for status changes made elsewhere since the last look; returns how many it applied. */
  reconcile(): Promise<number>;
  /** The delegated responder of the issuing CA, created or renewed as needed. */
  ensureResponder(): Promise<{ readonly keyId: string; readonly certificate: Buffer }>;
  /** Runs reconcile every reconcileMs until stop(). */
  start(): void;
  stop(): void;
}

export function createOcspResponder(deps: OcspResponderDeps): OcspResponder {
  const { ca, clock } = deps;
  const onError = deps.onError ?? (() => {});
  const issuers = createIssuerIndex(ca, clock);
  const signers = createSigners({ ...deps, validityMs: deps.validityMs ?? 24 * HOUR });
  const changes = createChangeLog(clock);
  const answers = createAnswers({
    ...deps,
    signers,
    changes,
    cacheEntries: deps.cacheEntries ?? 50_000,
    dir: deps.dir,
  });
  let used = false;

  /** Several CertIDs: signed per request by the signer of the first one we know; the others are unknown. */
  async function several(targets: readonly { id: CertId; issuer: KnownIssuer | undefined }[]) {
    const chosen = targets.find((t) => t.issuer?.authority.status === 'online')?.issuer as KnownIssuer;
    const singles = await Promise.all(
      targets.map(async (t): Promise<SingleAnswer> => {
        const ours = t.issuer?.authority.id === chosen.authority.id;
        const row = ours ? await ca.registry.find(chosen.authority.id, t.id.serial) : undefined;
        return { certId: t.id.der, status: certStatusOf(row) };
      }),
    );
    const { ders, validity } = await signers.sign(chosen.authority, [singles]);
    return cachedResponse(ders[0] as Buffer, validity);
  }

  async function respond(request: Uint8Array, opts: RespondOptions = {}): Promise<OcspAnswer> {
    let ids: readonly CertId[];
    try {
      ids = parseOcspRequest(request).certIds;
    } catch (e) {
      if (e instanceof MalformedRequest) return { der: failureResponse('malformedRequest') };
      onError(e, 'ocsp parse');
      return { der: failureResponse('internalError') };
    }
    used = true;
    try {
      const targets = await Promise.all(ids.map(async (id) => ({ id, issuer: await issuers.match(id) })));
      // RFC 6960 §2.3: not authorised to answer for a CA that is not ours.
      // An offline CA (its key only in a ceremony) cannot sign now: its CRL answers instead.
      if (!targets.some((t) => t.issuer && t.issuer.authority.status === 'online')) {
        return { der: failureResponse('unauthorized') };
      }
      const [first] = targets;
      const kept = targets.length === 1 && first?.issuer ? answers.cached(first.issuer, first.id) : undefined;
      if (kept) return kept;
      if (opts.maySign === false) return { der: failureResponse('tryLater') };
      if (targets.length === 1 && first?.issuer)
        return { ...(await answers.single(first.issuer, first.id)), signed: true };
      return { ...(await several(targets)), signed: true };
    } catch (e) {
      onError(e, 'ocsp respond');
      return { der: failureResponse('internalError') };
    }
  }

  async function statusChanged(issuerId: string, serial: string): Promise<void> {
    used = true;
    const s = serialHex(serial);
    signers.statusChanged(s);
    try {
      const issuer = await issuers.byId(issuerId);
      const spellings = await answers.drop(issuer, issuerId, s);
      if (issuer) await answers.refresh(issuer, s, spellings);
    } catch (e) {
      onError(e, 'ocsp refresh');
    }
  }

  const reconcile = createReconciler({
    ca,
    clock,
    used: () => used,
    statusChanged,
    forgetAll: () => {
      changes.markAll();
      answers.clear();
    },
  });
  let timer: NodeJS.Timeout | undefined;

  return {
    respond,
    statusChanged,
    reconcile,
    async pregenerate(issuerId, opts) {
      used = true;
      const issuer = await issuers.byId(issuerId);
      return pregenerate({ ...deps, issuer, epoch: changes.epoch, signAndKeep: answers.signAndKeep }, opts);
    },
    async ensureResponder() {
      const s = await signers.ensureResponder();
      return { keyId: s.keyId, certificate: s.certs[0] as Buffer };
    },
    start() {
      const every = deps.reconcileMs ?? 30_000;
      if (timer || every <= 0) return;
      const run = () => void reconcile().catch((e) => onError(e, 'ocsp reconcile'));
      run();
      timer = setInterval(run, every);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
