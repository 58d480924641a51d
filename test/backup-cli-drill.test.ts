/**
 * The restore drill of issue 4 as an operator runs it, every step a real `shomei` process:
 * demo credentials sign → `backup create` 3-of-5 → the data directory is wiped → `backup restore`
 * with 2 shares fails clearly and leaves nothing behind → with 3 shares it succeeds → `shomei audit
 * verify` with the pinned log key passes and the same credentials sign. Then the same drill on
 * PostgreSQL (pg_dump inside an exported snapshot → pg_restore into a fresh database).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { signOnce, startApp } from './support/app.js';
import { cli } from './support/cli.js';
import { PG_ADMIN_URL, postgresAvailable } from './support/stores.js';

const TIMEOUT = 180_000;
const work = mkdtempSync(join(tmpdir(), 'shomei-cli-drill-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function signsWith(dataDir: string, credentialID: string, databaseUrl?: string): Promise<number> {
  const t = await startApp({ dataDir, ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    return await signOnce(t, credentialID);
  } finally {
    await t.close();
  }
}

async function drill(env: NodeJS.ProcessEnv, databaseUrl?: string, recreate?: () => Promise<void>): Promise<void> {
  const dataDir = join(work, `data-${randomBytes(4).toString('hex')}`);
  const init = await cli(dataDir, ['init', '--json'], { env });
  expect(init.code, init.stderr).toBe(0);
  const verifierKey: string = init.json.logVerifierKey;
  const demo = await cli(dataDir, ['demo', '--json'], { env });
  expect(demo.code, demo.stderr).toBe(0);
  const p256: string = demo.json.credentials.p256;
  expect(await signsWith(dataDir, p256, databaseUrl)).toBe(200);

  const snapshot = join(work, `snapshot-${randomBytes(4).toString('hex')}`);
  const created = await cli(
    dataDir,
    ['backup', 'create', '--out', snapshot, '--threshold', '3', '--custodians', '5', '--json'],
    { env },
  );
  expect(created.code, created.stderr).toBe(0);
  const shares: string[] = created.json.shares;
  expect(shares).toHaveLength(5);

  rmSync(dataDir, { recursive: true, force: true });
  await recreate?.();
  const two = join(work, 'two-shares');
  writeFileSync(two, `${shares[0]}\n${shares[3]}\n`);
  const refused = await cli(dataDir, ['backup', 'restore', snapshot, '--shares-file', two], { env });
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toMatch(/Not enough backup shares: 2 distinct given, 3 needed/);
  expect(existsSync(join(dataDir, 'shomei.db'))).toBe(false);
  expect(existsSync(join(dataDir, 'kek'))).toBe(false);

  const three = join(work, 'three-shares');
  writeFileSync(three, `${shares[4]}\n${shares[1]}\n${shares[2]}\n`);
  const restored = await cli(dataDir, ['backup', 'restore', snapshot, '--shares-file', three, '--json'], { env });
  expect(restored.code, restored.stderr).toBe(0);

  const verified = await cli(dataDir, ['audit', 'verify', '--json', '--key', verifierKey], { env });
  expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  expect(verified.json.ok).toBe(true);
  expect(verified.json.size).toBeGreaterThanOrEqual(restored.json.meta.logSize);
  expect(await signsWith(dataDir, p256, databaseUrl)).toBe(200);
}

describe('BACKUP-2: the restore drill through the CLI', () => {
  it(
    'BACKUP-2: SQLite: 3-of-5 create, wipe, 2 shares refused, 3 restore; audit verify passes; same credential signs',
    async () => {
      await drill({});
    },
    TIMEOUT,
  );

  it(
    'BACKUP-2: PostgreSQL: the snapshot is a pg_dump of an exported snapshot; restore needs an empty database',
    async () => {
      if (!(await postgresAvailable())) return;
      const name = `shomei_drill_${randomBytes(6).toString('hex')}`;
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${name}`;
      const admin = async (q: string) => {
        const c = new pg.Client({ connectionString: PG_ADMIN_URL });
        await c.connect();
        try {
          await c.query(q);
        } finally {
          await c.end();
        }
      };
      await admin(`CREATE DATABASE ${name}`);
      try {
        await drill({ SHOMEI_DATABASE_URL: url.toString() }, url.toString(), async () => {
          await admin(`DROP DATABASE ${name} WITH (FORCE)`);
          await admin(`CREATE DATABASE ${name}`);
        });
      } finally {
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    },
    TIMEOUT,
  );
});
