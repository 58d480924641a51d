import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from './support/stores.js';

describe.each(await backends())('store on $name (DEP-1, DEP-2)', (backend) => {
  const dbs: Array<{ drop(): Promise<void> }> = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('migrates an empty database to the latest version, idempotently', async () => {
    const h = await backend.create();
    dbs.push(h);
    const rows = await sql<{ name: string }>`SELECT name FROM schema_migrations ORDER BY name`.execute(h.store.db);
    expect(rows.rows.map((r) => r.name)).toContain('001_initial');
    // A second open of the same database finds nothing to do.
    const { openStore } = await import('../src/store/index.js');
    const again = await openStore({ url: h.url });
    await again.close();
  });

  it('a failing transaction leaves nothing half-written', async () => {
    const h = await backend.create();
    dbs.push(h);
    await expect(
      h.store.transaction(async (tx) => {
        await tx.insertInto('meta').values({ key: 'a', value: '1' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const n = await h.store.db.selectFrom('meta').selectAll().execute();
    expect(n).toHaveLength(0);
  });

  it('durable and exclusive transactions commit and round-trip bigint and binary columns', async () => {
    const h = await backend.create();
    dbs.push(h);
    const blob = Buffer.from([0, 1, 2, 255]);
    await h.store.exclusive(42, async (tx) => {
      await tx
        .insertInto('audit_checkpoints')
        .values({ size: 2 ** 40, root_hash: blob, note: 'n', created_at: Date.UTC(2030, 0, 1) })
        .execute();
    });
    const row = await h.store.db.selectFrom('audit_checkpoints').selectAll().executeTakeFirstOrThrow();
    expect(row.size).toBe(2 ** 40);
    expect(typeof row.created_at).toBe('number');
    expect(Buffer.from(row.root_hash).equals(blob)).toBe(true);
  });

  it('exclusive transactions from concurrent callers serialise', async () => {
    const h = await backend.create();
    dbs.push(h);
    await h.store.db.insertInto('meta').values({ key: 'counter', value: '0' }).execute();
    const bump = () =>
      h.store.exclusive(7, async (tx) => {
        const r = await tx.selectFrom('meta').select('value').where('key', '=', 'counter').executeTakeFirstOrThrow();
        await tx
          .updateTable('meta')
          .set({ value: String(Number(r.value) + 1) })
          .where('key', '=', 'counter')
          .execute();
      });
    await Promise.all(Array.from({ length: 20 }, bump));
    const r = await h.store.db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', 'counter')
      .executeTakeFirstOrThrow();
    expect(r.value).toBe('20');
  });
});

describe('SQLite files (SIGN-3, USER-5)', () => {
  it('the database and its WAL are readable by the owner only', async () => {
    const { mkdtempSync, statSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { openStore } = await import('../src/store/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'shomei-perm-'));
    const file = join(dir, 'data', 'shomei.db');
    const store = await openStore({ url: file });
    try {
      await store.durable((tx) => tx.insertInto('meta').values({ key: 'k', value: 'v' }).execute());
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
