/** The register of issued tokens (TSA-1, table tsa_tokens): what a token's serial stood for. */
import type { Store } from '../store/index.js';

export interface TokenRecord {
  /** Lower-case hex of the serial number's content octets. */
  readonly serial: string;
  readonly genTime: number;
  readonly policy: string;
  readonly hashOid: string;
  readonly imprint: Uint8Array;
  readonly keyId: string;
  readonly actor: string;
}

/**
 * Records a token; false if its serial is already taken (RFC 3161 §2.4.2: serials are unique per
 * TSA — the primary key guarantees it across instances, whatever the random source does).
 */
export async function recordToken(store: Store, r: TokenRecord): Promise<boolean> {
  const res = await store.db
    .insertInto('tsa_tokens')
    .values({
      serial: r.serial,
      gen_time: r.genTime,
      policy: r.policy,
      hash_algorithm: r.hashOid,
      imprint: Buffer.from(r.imprint),
      key_id: r.keyId,
      actor: r.actor,
    })
    .onConflict((oc) => oc.column('serial').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** A recorded token by serial (hex), for audits and tests. */
export async function findToken(store: Store, serial: string): Promise<TokenRecord | undefined> {
  const row = await store.db.selectFrom('tsa_tokens').selectAll().where('serial', '=', serial).executeTakeFirst();
  if (!row) return undefined;
  return {
    serial: row.serial,
    genTime: Number(row.gen_time),
    policy: row.policy,
    hashOid: row.hash_algorithm,
    imprint: new Uint8Array(row.imprint),
    keyId: row.key_id,
    actor: row.actor,
  };
}
