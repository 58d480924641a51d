import { spawn } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  linkSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent, AuditSink } from '../src/audit/event.js';
import {
  createKeyring,
  createKeyService,
  createSoftwareKeyStore,
  KEK_FILE,
  KEK_NEXT_FILE,
  type KeyService,
  type KeyStore,
  type KeyType,
  loadKeyringState,
  loadOrCreateKek,
  OID,
  resolveSignature,
  rotateKek,
} from '../src/keys/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import type { Store } from '../src/store/index.js';
import { logEvents, OIDS, signOnce, startApp } from './support/app.js';
import { cli } from './support/cli.js';
import { backends, sqliteBackend } from './support/stores.js';

const message = Buffer.from('KEK rotation: still the same key');
const digest = createHash('sha256').update(message).digest();
const TYPES: readonly KeyType[] = ['EC-P256', 'RSA-2048', 'Ed25519', 'EC-P384', 'EC-P256', 'Ed25519'];

/** A key store and key service over `dataDir`, as `shomei serve` builds them (keyring follows the files). */
function open(store: Store, dataDir: string, retireAfterMs = 10_000) {
  const keyring = createKeyring({ state: loadKeyringState(dataDir), dataDir, retireAfterMs, pollMs: 0 });
  const keystore = createSoftwareKeyStore({ keyring, random: systemRandom, poolSize: 2 });
  const keys = createKeyService({
    store,
    keystore,
    clock: manualClock(),
    random: systemRandom,
    policy: { allowEd25519: true },
  });
  return { keyring, keystore, keys };
}

/** Signs with the key and checks the signature with node:crypto against the key's SPKI. */
async function signsAndVerifies(keys: KeyService, id: string): Promise<boolean> {
  const k = await keys.get(id);
  const pub = createPublicKey({ key: k.publicKey, format: 'der', type: 'spki' });
  if (k.keyType === 'Ed25519') return verify(null, message, pub, await keys.signMessage(id, message));
  const signAlgo = k.keyType.startsWith('RSA') ? OID.sha256WithRSAEncryption : OID.ecdsaWithSHA256;
  const [sig] = await keys.signDigests(id, resolveSignature({ keyType: k.keyType, signAlgo }), [digest]);
  return verify('sha256', message, pub, sig as Buffer);
}

const kekIds = async (store: Store) =>
  (await store.db.selectFrom('keys').select(['id', 'kek_id', 'status']).orderBy('id').execute()).filter(
    (r) => r.status !== 'destroyed',
  );

function recordingAudit(): AuditSink & { events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  const append = async (e: AuditEvent) => ({ seq: events.push(e) - 1, leafHash: '' });
  return { events, append };
}

describe.each(await backends())('keys/software KEK rotation on $name (KEY-1, SIGN-3)', (backend) => {
  let store: Store;
  let url: string;
  let drop: () => Promise<void>;
  let dataDir: string;
  let opened: ReturnType<typeof open>[];

  const session = (retireAfterMs?: number) => {
    const o = open(store, dataDir, retireAfterMs);
    opened.push(o);
    return o;
  };
  const makeKeys = async (keys: KeyService) => {
    const ids: string[] = [];
    for (const t of TYPES) ids.push((await keys.generate(t, 'signing')).id);
    return ids;
  };

  beforeEach(async () => {
    ({ store, url, drop } = await backend.create());
    dataDir = mkdtempSync(join(tmpdir(), 'shomei-kek-'));
    opened = [];
  });
  afterEach(async () => {
    for (const o of opened) await o.keystore.close();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('KEY-1 SIGN-3: re-wraps every key under a new KEK, logs it, and every key still signs', async () => {
    const { keys } = session();
    const ids = await makeKeys(keys);
    const destroyed = (await keys.generate('EC-P256', 'signing')).id;
    // As destroy leaves it (SIGN-2): no blob, the kek_id kept as a record; nothing to re-wrap.
    await store.db
      .updateTable('keys')
      .set({ wrapped: null, status: 'destroyed' })
      .where('id', '=', destroyed)
      .execute();
    const old = loadOrCreateKek(dataDir);
    const audit = recordingAudit();

    const r = await rotateKek({ store, dataDir, random: systemRandom, audit, actor: 'admin:test', settleMs: 0 });

    const now = loadOrCreateKek(dataDir);
    expect(r).toMatchObject({ from: old.id, to: now.id, rewrapped: ids.length, keys: ids.length, resumed: false });
    expect(now.id).not.toBe(old.id);
    expect((await kekIds(store)).map((x) => x.kek_id)).toEqual(ids.map(() => now.id));
    expect(readdirSync(dataDir)).toEqual([KEK_FILE]);
    // A fresh key store that holds only the new KEK signs with every key.
    const fresh = session();
    for (const id of ids) expect(await signsAndVerifies(fresh.keys, id)).toBe(true);
    // LOG-1: start and completion with ids, counts and the actor; never key material.
    expect(audit.events.map((e) => e.type)).toEqual(['kek.rotate.start', 'kek.rotate.complete']);
    expect(audit.events[1]).toMatchObject({
      actor: 'admin:test',
      outcome: 'success',
      fromKekId: old.id,
      toKekId: now.id,
      rewrapped: ids.length,
      keys: ids.length,
    });
    const logged = JSON.stringify(audit.events);
    for (const k of [old, now]) {
      expect(logged).not.toContain(k.key.toString('base64'));
      expect(logged).not.toContain(k.key.toString('hex'));
    }
  });

  it('KEY-1: the old KEK is unusable afterwards — its file is gone and blobs under it are refused', async () => {
    const online = session(50);
    const [id] = await makeKeys(online.keys);
    const before = await store.db
      .selectFrom('keys')
      .selectAll()
      .where('id', '=', id as string)
      .executeTakeFirstOrThrow();
    const old = loadOrCreateKek(dataDir);

    await rotateKek({ store, dataDir, random: systemRandom, actor: 'admin:test', settleMs: 0 });

    const handle = { id: before.id, ref: before.ref, keyType: before.key_type as KeyType, wrapped: before.wrapped };
    const refused = (ks: KeyStore) =>
      expect(ks.publicKey({ ...handle, kekId: before.kek_id })).rejects.toMatchObject({
        code: 'keystore_error',
      });
    await refused(session().keystore); // a key store started after the rotation never had it
    // The running one forgets it once the rotation is seen to be over (here after 50 ms).
    expect(await signsAndVerifies(online.keys, id as string)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(online.keyring.ids()).toEqual([loadOrCreateKek(dataDir).id]);
    await refused(online.keystore);
    // Nor does the old blob pass as one under the new KEK, or the old KEK open the new blob.
    await expect(session().keystore.publicKey({ ...handle, kekId: loadOrCreateKek(dataDir).id })).rejects.toMatchObject(
      { code: 'keystore_error' },
    );
    expect(old.key.equals(loadOrCreateKek(dataDir).key)).toBe(false);
    expect(existsSync(join(dataDir, KEK_NEXT_FILE))).toBe(false);
  });

  it('KEY-1: the old KEK file is overwritten before it is gone, and crash leftovers are cleared', async () => {
    const { keys } = session();
    const ids = await makeKeys(keys);
    // The test keeps descriptors open, the way a disk keeps blocks: it can read what was overwritten.
    const oldFd = openSync(join(dataDir, KEK_FILE), 'r');
    const failing = rotateKek({
      store,
      dataDir,
      random: systemRandom,
      actor: 'admin:test',
      settleMs: 0,
      onRow: () => {
        throw new Error('stop');
      },
    });
    await expect(failing).rejects.toThrow('stop');
    const nextFd = openSync(join(dataDir, KEK_NEXT_FILE), 'r');
    // Leftovers of writers killed mid-write: a temp file already linked as kek.next, and one not.
    linkSync(join(dataDir, KEK_NEXT_FILE), join(dataDir, `${KEK_NEXT_FILE}.4242.1.tmp`));
    writeFileSync(join(dataDir, `${KEK_FILE}.4242.2.tmp`), 'half a KEK', { mode: 0o600 });

    await rotateKek({ store, dataDir, random: systemRandom, actor: 'admin:test', settleMs: 0 });

    expect(readdirSync(dataDir)).toEqual([KEK_FILE]);
    const zeros = (fd: number) => {
      const b = readFileSync(fd);
      closeSync(fd);
      return b.length > 0 && b.every((x) => x === 0);
    };
    expect(zeros(oldFd)).toBe(true);
    expect(zeros(nextFd)).toBe(true);
    const restarted = session().keys;
    for (const id of ids) expect(await signsAndVerifies(restarted, id)).toBe(true);
  });

  it('KEY-1: a run resumes a half-done rotation, and one after a crash during clean-up only finishes', async () => {
    const { keys } = session();
    const ids = await makeKeys(keys);
    // A first run that stops (an exception here, a crash in the next test) after two rows.
    const stop = new Error('stop');
    const failing = rotateKek({
      store,
      dataDir,
      random: systemRandom,
      actor: 'admin:test',
      settleMs: 0,
      onRow: (n) => {
        if (n === 2) throw stop;
      },
    });
    await expect(failing).rejects.toBe(stop);
    const next = loadKeyringState(dataDir).next;
    expect(next).not.toBeNull();
    // Half-done: every key still signs, through a key store holding both KEKs.
    const halfDone = session().keys;
    for (const id of ids) expect(await signsAndVerifies(halfDone, id)).toBe(true);

    const r = await rotateKek({ store, dataDir, random: systemRandom, actor: 'admin:test', settleMs: 0 });
    expect(r).toMatchObject({ to: next?.id, rewrapped: ids.length - 2, keys: ids.length, resumed: true });

    // A crash after `kek` was replaced but before `kek.next` was removed: both hold the new KEK.
    cpSync(join(dataDir, KEK_FILE), join(dataDir, KEK_NEXT_FILE));
    const again = await rotateKek({ store, dataDir, random: systemRandom, actor: 'admin:test', settleMs: 0 });
    expect(again).toMatchObject({ from: null, to: next?.id, rewrapped: 0, keys: ids.length, resumed: true });
    expect(readdirSync(dataDir)).toEqual([KEK_FILE]);
    const restarted = session().keys;
    for (const id of ids) expect(await signsAndVerifies(restarted, id)).toBe(true);
  });

  it('KEY-1: a rotation killed (SIGKILL) halfway and run again leaves every key usable', async () => {
    const { keys } = session();
    const ids = await makeKeys(keys);
    const old = loadOrCreateKek(dataDir);
    const half = ids.length / 2;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'support/kek-rotate-child.ts'), dataDir, url, String(half)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, sig) => resolve(sig)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('paused') && resolve());
      child.on('exit', (code) => reject(new Error(`rotation child exited early (${code})`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const next = loadKeyringState(dataDir).next;
    const rows = await kekIds(store);
    expect(rows.filter((r) => r.kek_id === next?.id)).toHaveLength(half);
    expect(rows.filter((r) => r.kek_id === old.id)).toHaveLength(ids.length - half);
    const halfDone = session().keys;
    for (const id of ids) expect(await signsAndVerifies(halfDone, id)).toBe(true);

    const r = await rotateKek({ store, dataDir, random: systemRandom, actor: 'admin:test', settleMs: 0 });
    expect(r).toMatchObject({ from: old.id, to: next?.id, rewrapped: ids.length - half, resumed: true });
    expect((await kekIds(store)).every((x) => x.kek_id === next?.id)).toBe(true);
    expect(readdirSync(dataDir)).toEqual([KEK_FILE]);
    const restarted = session().keys;
    for (const id of ids) expect(await signsAndVerifies(restarted, id)).toBe(true);
  }, 60_000);

  it('SIGN-1: a running key service keeps signing, and makes keys, while another rotates the KEK', async () => {
    const online = session(200);
    const ids = await makeKeys(online.keys);
    const logKey = ids[2] as string; // Ed25519, held the way the log holds its checkpoint signer
    const checkpointSigner = await online.keys.messageSigner(logKey);
    const logPub = createPublicKey({ key: await online.keys.publicKey(logKey), format: 'der', type: 'spki' });
    // Warm up (worker start-up), so the loop below runs many times during the rotation.
    for (const id of ids) expect(await signsAndVerifies(online.keys, id)).toBe(true);
    let rotating = true;
    let signed = 0;
    const made: string[] = [];
    const signer = (async () => {
      while (rotating) {
        for (const id of ids) expect(await signsAndVerifies(online.keys, id)).toBe(true);
        expect(verify(null, message, logPub, await checkpointSigner(message))).toBe(true);
        signed++;
      }
    })();
    const rotation = rotateKek({
      store,
      dataDir,
      random: systemRandom,
      actor: 'admin:test',
      settleMs: 0,
      batchSize: 2,
      onRow: async () => {
        await new Promise((r) => setTimeout(r, 150));
        if (made.length < 2) made.push((await online.keys.generate('EC-P256', 'signing')).id);
      },
    });
    const r = await rotation.finally(() => {
      rotating = false;
    });
    await signer;
    expect(signed).toBeGreaterThan(1);
    // Keys made mid-rotation were wrapped under the next KEK at once, so the rotation did not chase them.
    const rows = await kekIds(store);
    expect(rows.every((x) => x.kek_id === r.to)).toBe(true);
    expect(rows).toHaveLength(ids.length + made.length);
    // After the running store has forgotten the old KEK, every key, and the held signer, still sign.
    await online.keys.signMessage(logKey, message);
    await new Promise((res) => setTimeout(res, 300));
    expect(online.keyring.ids()).toEqual([r.to]);
    for (const id of [...ids, ...made]) expect(await signsAndVerifies(online.keys, id)).toBe(true);
    expect(verify(null, message, logPub, await checkpointSigner(message))).toBe(true);
  }, 60_000);
});

describe('keys/software KEK rotation with the KEK from configuration (KEY-1)', () => {
  it('KEY-1: needs SHOMEI_KEK_NEXT, writes no KEK to disk, and leaves the keys under it', async () => {
    const { store, drop } = await sqliteBackend.create();
    const dataDir = mkdtempSync(join(tmpdir(), 'shomei-kek-'));
    const kek = systemRandom.bytes(32).toString('base64');
    const kekNext = systemRandom.bytes(32).toString('base64');
    const ring = (config: { kek: string; kekNext?: string }) =>
      createKeyring({ state: loadKeyringState(dataDir, config) });
    const before = createSoftwareKeyStore({ keyring: ring({ kek }), random: systemRandom, poolSize: 1 });
    const keys = createKeyService({ store, keystore: before, clock: manualClock(), random: systemRandom });
    const k = await keys.generate('EC-P256', 'signing');
    try {
      await expect(
        rotateKek({ store, dataDir, config: { kek }, random: systemRandom, actor: 'admin:test' }),
      ).rejects.toThrow(/SHOMEI_KEK_NEXT/);
      const r = await rotateKek({ store, dataDir, config: { kek, kekNext }, random: systemRandom, actor: 'admin:t' });
      expect(r).toMatchObject({ source: 'config', rewrapped: 1, keys: 1 });
      expect(readdirSync(dataDir)).toEqual([]);
      // Restarted with SHOMEI_KEK set to the former SHOMEI_KEK_NEXT, the key signs.
      const after = createSoftwareKeyStore({ keyring: ring({ kek: kekNext }), random: systemRandom, poolSize: 1 });
      const keys2 = createKeyService({ store, keystore: after, clock: manualClock(), random: systemRandom });
      expect(await signsAndVerifies(keys2, k.id)).toBe(true);
      await after.close();
      // The old one alone no longer can.
      await expect(signsAndVerifies(keys, k.id)).rejects.toMatchObject({ code: 'keystore_error' });
    } finally {
      await before.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('shomei key rotate-kek beside a running service (KEY-1, SIGN-1, LOG-1)', () => {
  it('SIGN-1 KEY-1: signHash keeps answering while `shomei key rotate-kek` runs in another process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shomei-kek-cli-'));
    const t = await startApp({ dataDir, config: { audit: { checkpointIntervalMs: 100 } } });
    try {
      t.app.start(); // periodic checkpoints: the log's own key signs throughout
      const old = loadOrCreateKek(dataDir);
      const statuses: number[] = [];
      let running = true;
      const signing = (async () => {
        while (running) {
          statuses.push(await signOnce(t, t.demo.credentials.p256));
          statuses.push(await signOnce(t, t.demo.credentials.rsa2048, OIDS.sha256WithRSA));
        }
      })();
      const r = await cli(dataDir, ['key', 'rotate-kek', '--json']).finally(() => {
        running = false;
      });
      await signing;
      expect(r.code, r.stderr).toBe(0);
      const now = loadOrCreateKek(dataDir);
      expect(r.json).toMatchObject({ from: old.id, to: now.id, resumed: false, source: 'file' });
      expect(r.json.rewrapped).toBeGreaterThanOrEqual(5); // log key, CA key, three demo keys
      expect(statuses.length).toBeGreaterThan(4);
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(existsSync(join(dataDir, KEK_NEXT_FILE))).toBe(false);
      expect(await t.app.audit.checkpoint()).toBeDefined();
      const events = (await logEvents(t.app)).filter((e) => e.type.startsWith('kek.rotate.'));
      expect(events.map((e) => [e.type, e.outcome, e.fromKekId, e.toKekId])).toEqual([
        ['kek.rotate.start', 'success', old.id, now.id],
        ['kek.rotate.complete', 'success', old.id, now.id],
      ]);
      expect(events[1]?.actor).toMatch(/^admin:/);
    } finally {
      await t.close();
    }
    const verified = await cli(dataDir, ['audit', 'verify', '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});
