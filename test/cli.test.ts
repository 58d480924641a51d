/**
 * The `shomei` command (CLI-1) run as a real process (`node --import tsx src/cli/main.ts`) on a
 * temporary data directory: init, demo, user registration and enrolment (USER-3, USER-4), and the
 * offline log verifier (LOG-2) against a log edited or truncated behind the service's back, and
 * against an export (LOG-4).
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from './support/app.js';
import { cli as run } from './support/cli.js';

const TIMEOUT = 120_000;
const cli = (dataDir: string, ...args: string[]) => run(dataDir, args);

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'shomei-cli-'));
  dirs.push(d);
  return d;
};

let dataDir: string;
let verifierKey: string;

beforeAll(async () => {
  dataDir = tempDir();
  const r = await cli(dataDir, 'init', '--json');
  expect(r.code, r.stderr).toBe(0);
  verifierKey = r.json.logVerifierKey;
}, TIMEOUT);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const loginStatus = async (dir: string, username: string, password: string): Promise<number> => {
  const t = await startApp({ dataDir: dir, demo: false });
  try {
    const r = await t.post('auth/login', {}, undefined, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    return r.status;
  } finally {
    await t.close();
  }
};

describe('CLI-1: init and demo', () => {
  it(
    'CLI-1: init --json reports the data directory, database, log key and CA; it is idempotent',
    async () => {
      expect(existsSync(join(dataDir, 'shomei.db'))).toBe(true);
      expect(verifierKey).toMatch(/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/);
      const again = await cli(dataDir, 'init', '--json');
      expect(again.code).toBe(0);
      expect(again.json.dataDir).toBe(dataDir);
      expect(again.json.database).toBe(join(dataDir, 'shomei.db'));
      expect(again.json.logVerifierKey).toBe(verifierKey);
      expect(again.json.caSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof again.json.caSubject).toBe('string');
    },
    TIMEOUT,
  );

  it(
    'CLI-1: demo --json gives url, username, password, PIN and three credential ids; a second run resets the password',
    async () => {
      const first = await cli(dataDir, 'demo', '--json');
      expect(first.code, first.stderr).toBe(0);
      const d = first.json;
      expect(typeof d.url).toBe('string');
      expect(d.username).toBe('demo');
      expect(typeof d.password).toBe('string');
      expect(d.pin).toMatch(/^\d{6}$/);
      const ids = [d.credentials.rsa2048, d.credentials.rsaPss, d.credentials.p256];
      for (const id of ids) expect(typeof id).toBe('string');
      expect(new Set(ids).size).toBe(3);

      const second = await cli(dataDir, 'demo', '--json');
      expect(second.code).toBe(0);
      expect(second.json.password).not.toBe(d.password);
      expect(second.json.credentials).toEqual(d.credentials);
      expect(await loginStatus(dataDir, 'demo', d.password)).toBe(401);
      expect(await loginStatus(dataDir, 'demo', second.json.password)).toBe(200);
    },
    TIMEOUT,
  );
});

describe('USER-3, USER-4: register → enrolment code → POST /enrol → login', () => {
  it(
    'USER-4: a code redeemed once lets the user log in; reusing it fails',
    async () => {
      const reg = await cli(
        dataDir,
        'user',
        'register',
        '--username',
        'alice',
        '--name',
        'Alice Example',
        '--proofing-method',
        'in-person',
        '--officer',
        'ra-officer-9',
        '--document-ref',
        'passport X1',
        '--json',
      );
      expect(reg.code, reg.stderr).toBe(0);
      expect(reg.json.username).toBe('alice');
      expect(reg.json.status).toBe('pending');
      const code = await cli(dataDir, 'enrol-code', 'alice', '--json');
      expect(code.code, code.stderr).toBe(0);
      expect(code.json.username).toBe('alice');
      expect(typeof code.json.code).toBe('string');
      expect(code.json.enrolUrl).toMatch(/\/enrol$/);

      const t = await startApp({ dataDir, demo: false });
      try {
        const before = await t.post('auth/login', {}, undefined, {
          headers: { authorization: `Basic ${Buffer.from('alice:correct horse battery').toString('base64')}` },
        });
        expect(before.status).toBe(401);
        const enrol = await t.post('/enrol', {
          code: code.json.code,
          password: 'correct horse battery',
          pin: '482915',
        });
        expect(enrol.status, enrol.text).toBe(200);
        expect(enrol.json).toMatchObject({ username: 'alice', status: 'active' });
        // USER-4: the enrolment also gives the signer a credential with a certificate from the CA.
        expect(enrol.json.credentialID).toMatch(/^[0-9a-f-]{36}$/);
        expect(enrol.json.certificateSerial).toMatch(/^[0-9a-f]+$/);
        expect(await t.login('alice', 'correct horse battery')).toMatch(/\S/);
        const reuse = await t.post('/enrol', {
          code: code.json.code,
          password: 'another good password',
          pin: '739164',
        });
        expect(reuse.status).toBe(400);
        expect(reuse.json.error).toBe('invalid_grant');
        expect(typeof reuse.json.error_description).toBe('string');
        // The old password still works: the failed reuse changed nothing.
        expect(await t.login('alice', 'correct horse battery')).toMatch(/\S/);
      } finally {
        await t.close();
      }
    },
    TIMEOUT,
  );
});

describe('LOG-2, LOG-4: audit verify and export', () => {
  it(
    'LOG-2: audit verify --json is ok on an untouched log (with the pinned key and without)',
    async () => {
      const pinned = await cli(dataDir, 'audit', 'verify', '--json', '--key', verifierKey);
      expect(pinned.code, pinned.stdout + pinned.stderr).toBe(0);
      expect(pinned.json.ok).toBe(true);
      expect(pinned.json.size).toBeGreaterThan(5);
      expect(pinned.json.checkpoints).toBeGreaterThan(0);
      expect(pinned.json.problems).toEqual([]);
      const own = await cli(dataDir, 'audit', 'verify', '--json');
      expect(own.code).toBe(0);
      expect(own.json.ok).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'LOG-2: one byte changed in one audit_leaves row → exit 1, and the report names that seq',
    async () => {
      const copy = tempDir();
      cpSync(dataDir, copy, { recursive: true });
      const db = new Database(join(copy, 'shomei.db'));
      const size = (db.prepare('select count(*) as n from audit_leaves').get() as { n: number }).n;
      const seq = Math.floor(size / 2);
      const row = db.prepare('select data from audit_leaves where seq = ?').get(seq) as { data: Buffer };
      const data = Buffer.from(row.data);
      const at = data.indexOf('"type":"') + 8;
      data[at] = (data[at] as number) ^ 0x01; // one letter of the event type, still valid JSON
      db.prepare('update audit_leaves set data = ? where seq = ?').run(data, seq);
      db.close();

      const r = await cli(copy, 'audit', 'verify', '--json', '--key', verifierKey);
      expect(r.code).toBe(1);
      expect(r.json.ok).toBe(false);
      expect(r.json.problems).toEqual([expect.objectContaining({ code: 'edited_entry', seq })]);
      const human = await cli(copy, 'audit', 'verify', '--key', verifierKey);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`at entry ${seq}`);
    },
    TIMEOUT,
  );

  it(
    'LOG-2: deleting the last checkpointed row → exit 1, and the report names that seq',
    async () => {
      const copy = tempDir();
      cpSync(dataDir, copy, { recursive: true });
      const db = new Database(join(copy, 'shomei.db'));
      const cp = (db.prepare('select max(size) as s from audit_checkpoints').get() as { s: number }).s;
      expect(cp).toBeGreaterThan(0);
      const seq = cp - 1;
      expect(db.prepare('delete from audit_leaves where seq = ?').run(seq).changes).toBe(1);
      db.close();

      const r = await cli(copy, 'audit', 'verify', '--json', '--key', verifierKey);
      expect(r.code).toBe(1);
      expect(r.json.ok).toBe(false);
      expect(r.json.problems.some((p: { seq?: number }) => p.seq === seq)).toBe(true);
      // Without a pinned key the service's own key is used: the deletion is still reported.
      const own = await cli(copy, 'audit', 'verify', '--json');
      expect(own.code).toBe(1);
      expect(own.json.problems.some((p: { seq?: number }) => p.seq === seq)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'LOG-4: audit export FILE, then audit verify --export FILE --key <key> is ok; another key is refused',
    async () => {
      const file = join(tempDir(), 'log.jsonl');
      const ex = await cli(dataDir, 'audit', 'export', file, '--json');
      expect(ex.code, ex.stderr).toBe(0);
      expect(ex.json.file).toBe(file);
      expect(ex.json.leaves).toBeGreaterThan(5);
      const v = await cli(tempDir(), 'audit', 'verify', '--export', file, '--key', verifierKey, '--json');
      expect(v.code, v.stdout + v.stderr).toBe(0);
      expect(v.json.ok).toBe(true);
      expect(v.json.size).toBe(ex.json.leaves);

      const wrongKey = await cli(
        tempDir(),
        'audit',
        'verify',
        '--export',
        file,
        '--key',
        verifierKey.replace(/\+([0-9a-f]{8})\+/, '+00000000+'),
        '--json',
      );
      expect(wrongKey.code).not.toBe(0);
    },
    TIMEOUT,
  );
});
