/**
 * Single-CertID answers — nearly all traffic (RFC 5019 §2.1.1) — taken from memory (cache.ts),
 * else from disk (response-dir.ts), else joined while another request has them signed, else
 * signed; and kept unless the certificate's status changed meanwhile (status-changes.ts).
 */
import type { Clock } from '../../platform/index.js';
import type { LocalCa } from '../local-ca.js';
import { type CachedResponse, cachedResponse, createResponseCache, isFresh } from './cache.js';
import { canonicalCertId, SHA1 } from './cert-id.js';
import type { KnownIssuer } from './issuers.js';
import type { CertId } from './request.js';
import { type CertStatus, certStatusDer, certStatusOf } from './response.js';
import { createResponseDir, readStoredSingle } from './response-dir.js';
import type { Signers } from './signer.js';
import type { ChangeLog } from './status-changes.js';

export interface AnswersDeps {
  readonly ca: LocalCa;
  readonly clock: Clock;
  readonly signers: Signers;
  readonly changes: ChangeLog;
  readonly cacheEntries: number;
  readonly dir: string | undefined;
}

/** One response to sign: for requests, refreshes and pregenerate alike. */
export interface Pending {
  readonly serial: string;
  readonly certId: Buffer;
  readonly status: CertStatus;
}

export interface Answers {
  single(issuer: KnownIssuer, id: CertId): Promise<CachedResponse>;
  /** The kept answer, if there is one (no signing, no database). */
  cached(issuer: KnownIssuer, id: CertId): CachedResponse | undefined;
  /** One signing call for all; each answer kept unless its certificate changed after `epoch`. */
  signAndKeep(issuer: KnownIssuer, items: readonly Pending[], epoch: number): Promise<CachedResponse[]>;
  /** Forgets the certificate's answers (memory, disk, in flight); returns the CertIDs that were cached. */
  drop(issuer: KnownIssuer | undefined, issuerId: string, serial: string): Promise<string[]>;
  /** Re-signs the canonical SHA-1 answer and the given CertID spellings. */
  refresh(issuer: KnownIssuer, serial: string, spellings: readonly string[]): Promise<void>;
  clear(): void;
}

const certKey = (issuerId: string, serial: string) => `${issuerId}/${serial}`;

export function createAnswers(deps: AnswersDeps): Answers {
  const { ca, clock, signers, changes } = deps;
  const cache = createResponseCache(deps.cacheEntries);
  const dir = deps.dir === undefined ? undefined : createResponseDir(deps.dir);
  const inflight = new Map<string, Map<string, Promise<CachedResponse>>>();

  /** The issuer hashes a CertID is the canonical spelling of: only those answers go to disk. */
  const canonical = (issuer: KnownIssuer, p: { serial: string; certId: Buffer }) =>
    issuer.hashes.find((h) => p.certId.equals(canonicalCertId(h, p.serial)));

  async function signAndKeep(issuer: KnownIssuer, items: readonly Pending[], epoch: number) {
    const batches = items.map((p) => [{ certId: p.certId, status: p.status }]);
    const { ders, validity } = await signers.sign(issuer.authority, batches);
    const out = ders.map((der) => cachedResponse(der, validity));
    const writes: Promise<void>[] = [];
    items.forEach((p, i) => {
      const r = out[i] as CachedResponse;
      // Unknown serials are not kept: anyone can ask for any number of them.
      if (p.status.kind === 'unknown' || !keep(issuer, p, r, epoch)) return;
      const h = dir && canonical(issuer, p);
      if (h) writes.push(dir.write(h.keyHash, p.serial, r.der));
    });
    await Promise.all(writes);
    return out;
  }

  function keep(issuer: KnownIssuer, p: { serial: string; certId: Buffer }, r: CachedResponse, epoch: number) {
    const key = certKey(issuer.authority.id, p.serial);
    if (changes.since(key, epoch)) return false;
    cache.put(key, p.certId.toString('latin1'), r);
    return true;
  }

  /** An answer written earlier (this run or a previous one) that still says what the registry says. */
  async function fromDisk(issuer: KnownIssuer, id: CertId, status: CertStatus): Promise<CachedResponse | undefined> {
    const h = dir && status.kind !== 'unknown' ? canonical(issuer, { serial: id.serial, certId: id.der }) : undefined;
    const der = h && (await dir?.read(h.keyHash, id.serial).catch(() => undefined));
    if (!der) return undefined;
    try {
      const s = readStoredSingle(der);
      const same = s.certId.equals(id.der) && s.certStatus.equals(certStatusDer(status));
      return same && isFresh(s, clock.now()) ? cachedResponse(der, s) : undefined;
    } catch {
      return undefined; // not ours, or damaged: signed again and overwritten
    }
  }

  async function produce(issuer: KnownIssuer, id: CertId): Promise<CachedResponse> {
    const epoch = changes.epoch();
    const status = certStatusOf(await ca.registry.find(issuer.authority.id, id.serial));
    const stored = await fromDisk(issuer, id, status);
    if (stored) {
      keep(issuer, { serial: id.serial, certId: id.der }, stored, epoch);
      return stored;
    }
    const [r] = await signAndKeep(issuer, [{ serial: id.serial, certId: id.der, status }], epoch);
    return r as CachedResponse;
  }

  const cached = (issuer: KnownIssuer, id: CertId) =>
    cache.get(certKey(issuer.authority.id, id.serial), id.der.toString('latin1'), clock.now());

  function single(issuer: KnownIssuer, id: CertId): Promise<CachedResponse> {
    const key = certKey(issuer.authority.id, id.serial);
    const variant = id.der.toString('latin1');
    const hit = cached(issuer, id);
    if (hit) return Promise.resolve(hit);
    const flights = inflight.get(key) ?? new Map<string, Promise<CachedResponse>>();
    inflight.set(key, flights);
    let p = flights.get(variant);
    if (!p) {
      p = produce(issuer, id).finally(() => {
        if (flights.get(variant) === p) flights.delete(variant);
        if (flights.size === 0 && inflight.get(key) === flights) inflight.delete(key);
      });
      flights.set(variant, p);
    }
    return p;
  }

  async function refresh(issuer: KnownIssuer, serial: string, spellings: readonly string[]): Promise<void> {
    const epoch = changes.epoch();
    const status = certStatusOf(await ca.registry.find(issuer.authority.id, serial));
    if (status.kind === 'unknown') return;
    const certIds = new Set(spellings);
    const sha1 = issuer.hashes.find((h) => h.hash === SHA1);
    if (sha1) certIds.add(canonicalCertId(sha1, serial).toString('latin1'));
    await signAndKeep(
      issuer,
      [...certIds].map((c) => ({ serial, certId: Buffer.from(c, 'latin1'), status })),
      epoch,
    );
  }

  async function drop(issuer: KnownIssuer | undefined, issuerId: string, serial: string): Promise<string[]> {
    const key = certKey(issuerId, serial);
    changes.mark(key);
    inflight.delete(key); // later requests do not join an answer read before the change
    const spellings = cache.invalidate(key);
    if (dir && issuer) await Promise.all(issuer.hashes.map((h) => dir.remove(h.keyHash, serial)));
    return spellings;
  }

  return { single, cached, signAndKeep, drop, refresh, clear: () => cache.clear() };
}
