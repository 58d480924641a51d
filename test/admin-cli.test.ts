/**
 * API-2 from the command line, as an operator runs it (real processes): the first admin is made
 * in-process (`shomei user grant-role`, the bootstrap path), then `shomei admin login` signs in to
 * a running service with password + TOTP and keeps the token in a 0600 file, and `shomei admin
 * users list` uses it; refusals and a missing session are one clear line, exit 1.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp, USER_PASSWORD, USER_PIN } from './support/app.js';
import { cli } from './support/cli.js';

const TIMEOUT = 120_000;

describe('API-2: shomei admin (CLI over the admin API)', () => {
  let dir: string;
  let t: TestApp;
  let server: string;
  let secret: string;
  const tokenFile = () => join(dir, 'home', 'admin-token.json');
  const admin = (...args: string[]) =>
    cli(dir, ['admin', ...args, '--token-file', tokenFile()], { env: { SHOMEI_ADMIN_PASSWORD: USER_PASSWORD } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shomei-admin-cli-'));
    const run = async (...args: string[]) => {
      const r = await cli(dir, [...args, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return r.json;
    };
    await run('init');
    await run(
      ...['user', 'register', '--username', 'olivia', '--name', 'Olivia'],
      ...['--proofing-method', 'in-person', '--officer', 'ra-1', '--document-ref', 'id card 1'],
    );
    const code = await run('enrol-code', 'olivia');
    secret = new URL((await run('user', 'totp-enrol', 'olivia')).uri).searchParams.get('secret') as string;
    const granted = await run('user', 'grant-role', 'olivia', 'registration_officer');
    expect(granted.roles).toEqual(['registration_officer']);
    t = await startApp({ dataDir: dir, demo: false });
    server = await t.listen();
    const enrol = await t.post('/enrol', { code: code.code, password: USER_PASSWORD, pin: USER_PIN });
    expect(enrol.status, enrol.text).toBe(200);
  }, TIMEOUT);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'API-2: grant-role, then admin login (0600 token file) and admin users list against the running service',
    async () => {
      const none = await admin('users', 'list');
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/not signed in/);

      const totp = await generate({ secret, algorithm: 'sha1', digits: 6, period: 30 });
      const login = await admin('login', '--server', server, '--username', 'olivia', '--totp', totp, '--json');
      expect(login.code, login.stderr).toBe(0);
      expect(login.json).toMatchObject({ username: 'olivia', level: 3, tokenFile: tokenFile() });
      expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);

      const list = await admin('users', 'list', '--json');
      expect(list.code, list.stderr).toBe(0);
      expect(list.json).toMatchObject([{ username: 'olivia', roles: ['registration_officer'], status: 'active' }]);

      const refused = await admin('audit', 'verify');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /HTTP 403 admin_role_required: This operation needs the auditor role \(ask an operator/,
      );
    },
    TIMEOUT,
  );

  it(
    'AUTH-2: a wrong TOTP code is one clear line, exit 1, and no token file is written',
    async () => {
      rmSync(tokenFile(), { force: true });
      const r = await admin('login', '--server', server, '--username', 'olivia', '--totp', '000000');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^shomei: HTTP 401 authentication_error: Invalid username or password/);
      expect(() => statSync(tokenFile())).toThrow();
      const insecure = await admin('login', '--server', 'http://rssp.example', '--username', 'olivia', '--totp', '1');
      expect(insecure.stderr).toMatch(/use https:\/\//);
    },
    TIMEOUT,
  );
});
