/**
 * Signed responses kept for reuse (CA-2, RFC 5019 §2.2.4 / §6): a bounded in-memory LRU, one
 * entry per certificate (issuer and serial) holding its answer for each CertID spelling asked —
 * usually one, SHA-1 — so that a status change drops them all at once.
 */
import { createHash } from 'node:crypto';
import type { Validity } from './response.js';

export interface CachedResponse extends Validity {
  readonly der: Buffer;
  /** Strong HTTP validator of the bytes (RFC 9110 §8.8.3). */
  readonly etag: string;
}

export const cachedResponse = (der: Buffer, v: Validity): CachedResponse => ({
  der,
  thisUpdate: v.thisUpdate,
  nextUpdate: v.nextUpdate,
  etag: `"${createHash('sha256').update(der).digest('base64url').slice(0, 27)}"`,
});

/** A response is reused until half its validity has passed, then signed again (seed 004). */
export const isFresh = (r: Validity, now: number): boolean => now < r.thisUpdate + (r.nextUpdate - r.thisUpdate) / 2;

export interface ResponseCache {
  /** A fresh response for this certificate and CertID, or undefined. */
  get(certificate: string, certId: string, now: number): CachedResponse | undefined;
  put(certificate: string, certId: string, r: CachedResponse): void;
  /** Drops the certificate's responses; returns the CertIDs they answered. */
  invalidate(certificate: string): string[];
  clear(): void;
  readonly size: number;
}

export function createResponseCache(maxEntries: number): ResponseCache {
  // A Map iterates in insertion order: re-inserting on use makes the first key the least recent.
  const entries = new Map<string, Map<string, CachedResponse>>();
  return {
    get(certificate, certId, now) {
      const variants = entries.get(certificate);
      const r = variants?.get(certId);
      if (!variants || !r) return undefined;
      if (!isFresh(r, now)) {
        variants.delete(certId);
        if (variants.size === 0) entries.delete(certificate);
        return undefined;
      }
      entries.delete(certificate);
      entries.set(certificate, variants);
      return r;
    },
    put(certificate, certId, r) {
      const variants = entries.get(certificate) ?? new Map<string, CachedResponse>();
      variants.set(certId, r);
      entries.delete(certificate);
      entries.set(certificate, variants);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    invalidate(certificate) {
      const variants = entries.get(certificate);
      entries.delete(certificate);
      return variants ? [...variants.keys()] : [];
    },
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
