/**
 * The signing log's own key and origin, made once on first start and kept in DB-2 like any other
 * key (DESIGN.md "The log"). The origin is fixed at creation: checkpoints name it, so it must not
 * change when the port or host does.
 */
import { type NoteSigner, verifierKeyString } from '../audit/index.js';
import type { KeyService } from '../keys/index.js';
import type { Store } from '../store/index.js';

const KEY_ID = 'audit.log_key_id';
const ORIGIN = 'audit.origin';

export interface LogKey {
  readonly origin: string;
  readonly signer: NoteSigner;
  /** Made by this call (first start): the log's first entry records it. */
  readonly created: boolean;
}

async function meta(store: Store, key: string): Promise<string | undefined> {
  const r = await store.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return r?.value;
}

/** C2SP origins are schema-less: `host[:port]/path`. */
const originFrom = (baseUrl: string) => `${new URL(baseUrl).host}/shomei-log`;

export async function ensureLogKey(opts: {
  store: Store;
  keys: KeyService;
  baseUrl: string;
  configuredOrigin: string;
}): Promise<LogKey> {
  const { store, keys } = opts;
  let keyId = await meta(store, KEY_ID);
  let origin = await meta(store, ORIGIN);
  let created = false;
  if (!keyId || !origin) {
    const key = await keys.generate('Ed25519', 'log');
    const mine = { id: key.id, origin: opts.configuredOrigin || originFrom(opts.baseUrl) };
    await store.transaction(async (tx) => {
      await tx
        .insertInto('meta')
        .values([
          { key: KEY_ID, value: mine.id },
          { key: ORIGIN, value: mine.origin },
        ])
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
    });
    // Two instances starting at once on one database: the first to record its key wins.
    keyId = (await meta(store, KEY_ID)) as string;
    origin = (await meta(store, ORIGIN)) as string;
    created = keyId === mine.id;
    if (!created) await keys.destroy(mine.id, { actor: 'system', reason: 'another instance made the log key first' });
  }
  const spki = await keys.publicKey(keyId);
  return {
    origin,
    created,
    signer: {
      name: origin,
      verifierKey: verifierKeyString(origin, spki.subarray(-32)),
      sign: await keys.messageSigner(keyId),
    },
  };
}
