/**
 * The service's own signing identities — the OCSP responder's (ca/ocsp/signer.ts), the TSA's
 * (tsa/identity.ts): a key of one purpose certified by the built-in issuing CA under one profile.
 * One implementation so that both are provisioned alike, by every instance sharing the database:
 * - the newest stored key of the purpose whose certificate is valid, from the current issuing CA,
 *   still good in the CA's registry and more than `renewBeforeMs` from expiry is reused — ours
 *   from before a restart, or one another instance made — so instances converge on one key;
 * - otherwise a new key is generated and certified, and the stored keys (none of which may sign
 *   any more: expiring, revoked, another CA's, without certificate) are retired, so a compromised
 *   or outdated key cannot sign again;
 * - the identity is cached; it is dropped when it nears expiry, when its certificate's status
 *   changes (CA-2, `statusChanged`), or when signing with it failed (`forget`, `use`: another
 *   instance may have retired the key), and found again on next use.
 */
import { Certificate } from 'pkijs';
import { ShomeiError } from '../errors.js';
import type { KeyRecord, KeyService, KeyType } from '../keys/index.js';
import type { Clock } from '../platform/index.js';
import type { CaAuthority, EndEntityProfile, LocalCa } from './local-ca.js';
import { serialHex } from './registry.js';

/** A usable key with its certificate chain, as found or made. */
export interface CertifiedKey {
  readonly key: KeyRecord;
  /** DER certificates as stored with the key: its own, the issuing CA's, the root's. */
  readonly chain: readonly Buffer[];
  /** Of the key's certificate, ms since the epoch. */
  readonly notAfter: number;
  /** Of the key's certificate (registry.ts spelling). */
  readonly serial: string;
}

export interface ServiceIdentitySpec<T> {
  /** KeyRecord.purpose of this identity's keys; keys of the purpose are managed (and retired) here. */
  readonly purpose: string;
  readonly profile: EndEntityProfile;
  readonly subjectDn: string;
  readonly keyType: KeyType;
  readonly validityDays: number;
  /** A key stops being used when its certificate has no more than this left (ms). */
  readonly renewBeforeMs: number;
  /** The key log's reason for retiring the replaced keys. */
  readonly retireReason: string;
  /** What the caller signs with, built once per key (parsing, encodings) and cached with it. */
  build(certified: CertifiedKey): T;
}

export interface ServiceIdentityDeps {
  readonly ca: LocalCa;
  readonly keys: KeyService;
  readonly clock: Clock;
}

export interface ServiceIdentity<T> {
  /** The identity to sign with now, found, created or renewed as needed (one provisioning at a time). */
  current(): Promise<T>;
  /**
   * Runs `fn` with the current identity; if it fails (the key retired or destroyed meanwhile, e.g.
   * by another instance), the identity is found again and `fn` retried once, rather than failing
   * until a restart.
   */
  use<R>(fn: (identity: T) => Promise<R>): Promise<R>;
  /** A certificate's status changed (CA-2): if it is this identity's, the next use finds a new one. */
  statusChanged(serial: string): void;
  /** Signing failed: look again next time. */
  forget(): void;
}

/** `attempt`, and if it fails, `reset` and `attempt` once more (its second failure is thrown). */
export async function retryOnce<R>(attempt: () => Promise<R>, reset: () => void): Promise<R> {
  try {
    return await attempt();
  } catch {
    reset();
    return attempt();
  }
}

/** The key with its chain and the facts read from its certificate (`chain[0]`). */
export function certifiedKey(key: KeyRecord, chain: readonly Buffer[]): CertifiedKey {
  const c = Certificate.fromBER(chain[0] as Buffer);
  return {
    key,
    chain,
    notAfter: c.notAfter.value.getTime(),
    serial: serialHex(c.serialNumber.valueBlock.valueHexView),
  };
}

export function createServiceIdentity<T>(deps: ServiceIdentityDeps, spec: ServiceIdentitySpec<T>): ServiceIdentity<T> {
  const { ca, keys, clock } = deps;
  let cached: { readonly certified: CertifiedKey; readonly identity: T } | undefined;
  let pending: Promise<{ readonly certified: CertifiedKey; readonly identity: T }> | undefined;
  const usable = (notAfter: number) => notAfter - clock.now() > spec.renewBeforeMs;

  /** The key's certificate if the key may sign now: certified by the current issuing CA, good, far from expiry. */
  async function usableKey(key: KeyRecord, issuing: CaAuthority): Promise<CertifiedKey | undefined> {
    if (key.status !== 'active') return undefined;
    const cert = await keys.certificate(key.id);
    if (cert?.status !== 'valid' || !cert.chain[1]?.equals(issuing.certificate) || !usable(cert.notAfter))
      return undefined;
    const found = certifiedKey(key, cert.chain);
    return (await ca.registry.find(issuing.id, found.serial))?.status === 'good' ? found : undefined;
  }

  async function provision(): Promise<CertifiedKey> {
    const issuing = await ca.issuing();
    const stored = (await keys.find({ purpose: spec.purpose })).filter((k) => k.status === 'active').reverse();
    for (const key of stored) {
      const found = await usableKey(key, issuing);
      if (found) return found;
    }
    const key = await keys.generate(spec.keyType, spec.purpose);
    const { profile, subjectDn, validityDays } = spec;
    await ca.issue({ keyId: key.id, subjectDn, profile, validityDays });
    const cert = await keys.certificate(key.id);
    if (!cert) throw new ShomeiError('internal', { detail: `${spec.purpose} certificate not stored` });
    // Keys made meanwhile by other instances are not in `stored`, and stay.
    for (const old of stored) await keys.retire(old.id, { actor: 'system', reason: spec.retireReason });
    return certifiedKey(key, cert.chain);
  }

  function current(): Promise<T> {
    if (cached && usable(cached.certified.notAfter)) return Promise.resolve(cached.identity);
    pending ??= provision()
      .then((c) => {
        cached = { certified: c, identity: spec.build(c) };
        return cached;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending.then((c) => c.identity);
  }

  const forget = () => {
    cached = undefined;
  };

  return {
    current,
    use: (fn) => retryOnce(async () => fn(await current()), forget),
    statusChanged(serial) {
      if (cached?.certified.serial === serial) cached = undefined;
    },
    forget,
  };
}
