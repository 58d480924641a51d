/**
 * The service's trust anchors as the validation routes and the CLI use them (TRUST-1): loaded on
 * first use and again after `refreshMs`, so a renewed trusted list is picked up without a restart.
 * A reload that fails keeps the last good set (and says so through `onError`); a first load that
 * fails is the caller's error.
 */
import type { Clock } from '../../platform/index.js';
import type { TrustAnchors } from './anchors.js';

export interface TrustStore {
  /** DER certificates of every anchor now trusted. */
  anchors(): Promise<readonly Uint8Array[]>;
  current(): Promise<TrustAnchors>;
}

export function createTrustStore(
  load: () => Promise<TrustAnchors>,
  clock: Clock,
  refreshMs: number,
  onError: (err: unknown) => void = () => {},
): TrustStore {
  let loaded: { at: number; value: Promise<TrustAnchors> } | undefined;
  const current = async (): Promise<TrustAnchors> => {
    const now = clock.now();
    if (!loaded) {
      loaded = { at: now, value: load() };
      loaded.value.catch(() => {
        loaded = undefined; // the next call tries again
      });
    } else if (now - loaded.at >= refreshMs) {
      const previous = loaded.value;
      const next = load();
      loaded = {
        at: now,
        value: next.catch((e) => {
          onError(e);
          return previous;
        }),
      };
    }
    return loaded.value;
  };
  return {
    current,
    anchors: async () => (await current()).anchors.map((a) => a.certificate),
  };
}
