/**
 * Keeping pre-generated answers true to the registry. A change made in this process reaches the
 * responder through LocalCa.onStatusChange; one made by another process (the CLI, another
 * instance) is found by the reconciler, which compares the revoked and held certificates of every
 * CA — what a CRL lists — with its previous look. The change log numbers changes so that an answer
 * built from a registry read older than the certificate's latest change is never kept.
 */
import type { Clock } from '../../platform/index.js';
import type { LocalCa } from '../local-ca.js';

/** How long a change is remembered: far longer than any signing takes. */
const REMEMBER_MS = 10 * 60_000;

export interface ChangeLog {
  /** The current number: read it before reading the registry. */
  epoch(): number;
  /** Whether the certificate changed after that number was read. */
  since(certificate: string, epoch: number): boolean;
  mark(certificate: string): void;
  /** Everything may have changed (the reconciler's first look). */
  markAll(): void;
}

export function createChangeLog(clock: Clock): ChangeLog {
  let counter = 0;
  let all = 0;
  const seen = new Map<string, { n: number; at: number }>();
  return {
    epoch: () => counter,
    since: (certificate, epoch) => Math.max(all, seen.get(certificate)?.n ?? 0) > epoch,
    mark(certificate) {
      const now = clock.now();
      seen.delete(certificate);
      seen.set(certificate, { n: ++counter, at: now });
      // Insertion order is time order: forget from the front.
      for (const [k, v] of seen) {
        if (now - v.at < REMEMBER_MS) break;
        seen.delete(k);
      }
    },
    markAll() {
      all = ++counter;
    },
  };
}

export interface ReconcilerDeps {
  readonly ca: LocalCa;
  readonly clock: Clock;
  /** Nothing is looked at before the responder is first used, so that a start never creates the CA. */
  readonly used: () => boolean;
  readonly statusChanged: (issuerId: string, serial: string) => Promise<void>;
  /** The first look: whatever was kept or being signed before it may be stale. */
  readonly forgetAll: () => void;
}

/** Returns how many changes the look found (each handed to statusChanged). */
export function createReconciler(deps: ReconcilerDeps): () => Promise<number> {
  let known: Map<string, string> | undefined;
  return async () => {
    if (!deps.used()) return 0;
    const next = new Map<string, string>();
    for (const a of await deps.ca.authorities()) {
      for (const r of await deps.ca.registry.revokedOf(a.id, deps.clock.now())) {
        next.set(`${a.id}\n${r.serial}`, `${r.status}/${r.revocation_reason}/${r.revoked_at}`);
      }
    }
    const before = known;
    known = next;
    if (!before) {
      deps.forgetAll();
      return 0;
    }
    const changed = [...new Set([...before.keys(), ...next.keys()])].filter((k) => before.get(k) !== next.get(k));
    for (const k of changed) {
      const [issuerId, serial] = k.split('\n') as [string, string];
      await deps.statusChanged(issuerId, serial);
    }
    return changed.length;
  };
}
