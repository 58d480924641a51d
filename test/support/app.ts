/**
 * A whole shomei service for HTTP-level tests: `buildApp` on a temporary data directory (SQLite by
 * default, or a PostgreSQL URL), the demo signer created through the real enrolment flow, a
 * logged-in access token, and `post(path, body, token?)` through `app.http.inject`. `listen()`
 * binds a real port (0) for tests that need real concurrency across instances.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSigningCredential, credentialAdminDeps } from '../../src/admin/credentials.js';
import { type DemoInfo, ensureDemo } from '../../src/admin/demo.js';
import { type App, buildApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/index.js';
import type { Platform } from '../../src/platform/index.js';
import type { TestBackend } from './stores.js';

export const CSC = '/csc/v2';
export const ACTOR = 'admin:test';

export const OIDS = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  p256: '1.2.840.10045.3.1.7',
} as const;

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly text: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: test replies are inspected field by field
  readonly json: any;
}

export interface PostOptions {
  /** Extra or replacing headers; `authorization: undefined` is not sent. */
  readonly headers?: Record<string, string>;
  /** Send this exact payload instead of JSON.stringify(body). */
  readonly raw?: string | Buffer;
}

export interface TestAppOptions {
  readonly platform?: Platform;
  /** Extra configuration merged over the test defaults (e.g. `{ auth: { sadTtlSeconds: 60 } }`). */
  readonly config?: Record<string, unknown>;
  /** postgres://… to use instead of SQLite in the data directory. */
  readonly databaseUrl?: string;
  /** Base64 of a 32-byte KEK (instances sharing one database must share it). */
  readonly kek?: string;
  /** Create the demo signer and log in (default true). */
  readonly demo?: boolean;
  /** Use this data directory (kept on close) instead of a fresh temporary one. */
  readonly dataDir?: string;
}

export interface TestApp {
  readonly app: App;
  readonly dir: string;
  readonly demo: DemoInfo;
  /** Access token of the demo signer. */
  readonly token: string;
  post(path: string, body?: unknown, token?: string, opts?: PostOptions): Promise<Reply>;
  get(path: string): Promise<Reply>;
  /** auth/login with HTTP Basic; returns the access token (throws on failure). */
  login(username: string, password: string): Promise<string>;
  /** Listens on 127.0.0.1:0; returns the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export const basicAuth = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();
export const b64 = (b: Buffer): string => b.toString('base64');

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object'
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export async function startApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const owned = opts.dataDir === undefined;
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'shomei-http-'));
  const config = parseConfig(
    merge(
      {
        dataDir: dir,
        databaseUrl: opts.databaseUrl ?? '',
        // The per-address limit (AUTH-2) would turn suites' deliberate failures into 429s; test/http-ip-limit.test.ts turns it on.
        auth: { scryptLogN: 10, ipMaxFailures: 0 },
        logLevel: 'silent',
        http: { port: 0, host: '127.0.0.1' },
        keystore: { workers: 1, ...(opts.kek ? { kek: opts.kek } : {}) },
      },
      opts.config ?? {},
    ),
  );
  let app: App;
  try {
    app = await buildApp(config, { logger: false, ...(opts.platform ? { platform: opts.platform } : {}) });
  } catch (e) {
    if (owned) rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  async function post(path: string, body: unknown = {}, token?: string, po: PostOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    Object.assign(headers, po.headers ?? {});
    const res = await app.http.inject({
      method: 'POST',
      url: path.startsWith('/') ? path : `${CSC}/${path}`,
      headers,
      payload: po.raw ?? JSON.stringify(body),
    });
    return { status: res.statusCode, headers: res.headers, text: res.body, json: parse(res.body) };
  }

  async function get(path: string): Promise<Reply> {
    const res = await app.http.inject({ method: 'GET', url: path });
    return { status: res.statusCode, headers: res.headers, text: res.body, json: parse(res.body) };
  }

  async function login(username: string, password: string): Promise<string> {
    const r = await post('auth/login', {}, undefined, { headers: { authorization: basicAuth(username, password) } });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
    return r.json.access_token as string;
  }

  let demo = undefined as unknown as DemoInfo;
  let token = '';
  if (opts.demo !== false) {
    demo = await ensureDemo(app, ACTOR);
    token = await login(demo.username, demo.password);
  }

  return {
    app,
    dir,
    demo,
    token,
    post,
    get,
    login,
    async listen() {
      await app.http.listen({ host: '127.0.0.1', port: 0 });
      const addr = app.http.server.address();
      if (!addr || typeof addr === 'string') throw new Error('no TCP address');
      return `http://127.0.0.1:${addr.port}`;
    },
    async close() {
      try {
        await app.close();
      } finally {
        if (owned) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** POST over real HTTP (fetch) to a listening instance. */
export async function httpPost(baseUrl: string, path: string, body: unknown, token?: string): Promise<Reply> {
  const res = await fetch(`${baseUrl}${CSC}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), text, json: parse(text) };
}

/** Number of rows in a table. */
export async function countRows(app: App, table: 'sads' | 'sad_hashes' | 'audit_leaves'): Promise<number> {
  const r = await app.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Every decoded log entry (flushes pending appends first). */
export async function logEvents(app: App): Promise<Array<Record<string, unknown> & { seq: number; type: string }>> {
  await app.audit.flush();
  const rows = await app.store.db.selectFrom('audit_leaves').select(['seq', 'data']).orderBy('seq').execute();
  return rows.map((r) => JSON.parse(Buffer.from(r.data).toString('utf8')));
}

/** A hash-bound authorisation body for the demo signer. */
export function authorizeBody(credentialID: string, pin: string, hashes: Buffer[], extra: object = {}) {
  return {
    credentialID,
    numSignatures: hashes.length,
    hashes: hashes.map(b64),
    hashAlgorithmOID: OIDS.sha256,
    authData: [{ id: 'PIN', value: pin }],
    ...extra,
  };
}

/**
 * startApp on a storage back-end: SQLite in the app's own data directory, or a fresh PostgreSQL
 * database that `close()` drops.
 */
export async function startAppOn(backend: TestBackend, opts: TestAppOptions = {}): Promise<TestApp> {
  if (backend.name === 'sqlite') return startApp(opts);
  const db = await backend.create();
  await db.store.close();
  const t = await startApp({ ...opts, databaseUrl: db.url });
  return {
    ...t,
    close: async () => {
      await t.close();
      await db.drop();
    },
  };
}

/**
 * authorize (demo PIN) + signHash of one random SHA-256 digest with the demo signer; the HTTP status
 * of the first step that failed, or of signHash.
 */
export async function signOnce(t: TestApp, credentialID: string, signAlgo = '1.2.840.10045.4.3.2'): Promise<number> {
  const hash = randomBytes(32);
  const a = await t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, [hash]), t.token);
  if (a.status !== 200) return a.status;
  const body = { credentialID, SAD: a.json.SAD, hashes: [b64(hash)], signAlgo };
  return (await t.post('signatures/signHash', body, t.token)).status;
}

/** A random 32-byte KEK in base64 for instances that share one database. */
export const newKek = (): string => randomBytes(32).toString('base64');

export const USER_PASSWORD = 'correct horse battery';
export const USER_PIN = '482915';

/** A signing credential for `userId` made the way an administrator makes one (KEY-3). */
export async function addCredential(
  app: App,
  userId: string,
  opts: { keyType?: string; scal?: '1' | '2'; multisign?: number } = {},
): Promise<string> {
  const c = await createSigningCredential(
    credentialAdminDeps(app),
    {
      userId,
      keyType: opts.keyType ?? 'EC-P256',
      scal: opts.scal ?? '1',
      multisign: opts.multisign ?? 10,
      subjectDn: 'CN=Test Signer,C=JP',
    },
    ACTOR,
  );
  return c.id;
}

/** A second signer registered, enrolled through an enrolment code (USER-3, USER-4), with one credential. */
export async function addUser(
  app: App,
  username: string,
  opts: { keyType?: string; scal?: '1' | '2'; multisign?: number } = {},
): Promise<{ userId: string; credentialId: string; password: string; pin: string }> {
  const u = await app.users.register(
    {
      username,
      displayName: `User ${username}`,
      proofing: { method: 'in-person', officer: 'ra-officer-1', documentRef: 'passport TEST' },
    },
    ACTOR,
  );
  const { code } = await app.users.issueEnrolmentCode(u.id, ACTOR);
  await app.users.redeemEnrolmentCode(code, { pin: USER_PIN, password: USER_PASSWORD });
  const credentialId = await addCredential(app, u.id, opts);
  return { userId: u.id, credentialId, password: USER_PASSWORD, pin: USER_PIN };
}
