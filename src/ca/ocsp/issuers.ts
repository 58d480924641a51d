/**
 * Which of our CAs a CertID names (RFC 6960 §4.1.1): issuerNameHash and issuerKeyHash compared
 * under the request's own hash algorithm, for the root (its certificates are the issuing CAs) and
 * the issuing CA. The table is re-read at most once a minute when a CertID matches nothing, so a
 * CA created after start is found without letting unknown issuers cost a database read each.
 */
import type { Clock } from '../../platform/index.js';
import type { CaAuthority, LocalCa } from '../local-ca.js';
import { type CertIdHash, type IssuerHashes, issuerHashes } from './cert-id.js';
import type { CertId } from './request.js';

const RELOAD_AFTER_MS = 60_000;

export interface KnownIssuer {
  readonly authority: CaAuthority;
  /** Its hashes under every CertID algorithm. */
  readonly hashes: readonly IssuerHashes[];
}

export interface IssuerIndex {
  match(id: CertId): Promise<KnownIssuer | undefined>;
  byId(authorityId: string): Promise<KnownIssuer | undefined>;
}

const keyOf = (hash: CertIdHash, nameHash: Uint8Array, keyHash: Uint8Array) =>
  `${hash.name}:${Buffer.from(nameHash).toString('hex')}:${Buffer.from(keyHash).toString('hex')}`;

export function createIssuerIndex(ca: LocalCa, clock: Clock): IssuerIndex {
  let table: Promise<Map<string, KnownIssuer>> | undefined;
  let loadedAt = 0;

  const load = async () => {
    const byKey = new Map<string, KnownIssuer>();
    for (const authority of await ca.authorities()) {
      const known = { authority, hashes: issuerHashes(authority.certificate) };
      for (const h of known.hashes) byKey.set(keyOf(h.hash, h.nameHash, h.keyHash), known);
    }
    return byKey;
  };
  const current = (reload: boolean) => {
    if (!table || (reload && clock.now() - loadedAt > RELOAD_AFTER_MS)) {
      loadedAt = clock.now();
      const next = load();
      table = next;
      next.catch(() => {
        if (table === next) table = undefined;
      });
    }
    return table;
  };

  return {
    async match(id) {
      if (!id.hash) return undefined;
      const key = keyOf(id.hash, id.issuerNameHash, id.issuerKeyHash);
      return (await current(false)).get(key) ?? (await current(true)).get(key);
    },
    async byId(authorityId) {
      const find = async (reload: boolean) =>
        [...(await current(reload)).values()].find((k) => k.authority.id === authorityId);
      return (await find(false)) ?? find(true);
    },
  };
}
