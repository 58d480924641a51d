/**
 * WEB-1, AUTH-4, VIEW in a real browser: Debian's Chromium driven by playwright-core, with a CDP
 * virtual authenticator (CTAP2, resident keys, user verification). The whole oauth2code flow:
 *
 *   signature application page (shows the verification code) → oauth2/authorize → RSSP login with
 *   the security key → consent page with the hashes and the same code (screenshot kept in
 *   test/artifacts/) → approval with the security key → code at the application's redirect URI →
 *   token (the SAD) → signHash → the signature verified by `openssl pkeyutl`.
 *
 * The security key itself is registered first through /rssp/register with an enrolment code, as
 * a signer would. Chromium missing: skipped with the reason on a user's machine, an error in CI.
 */

import { spawn } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s256, verificationCode } from '../src/oauth/index.js';
import { pkeyutlVerify } from './keys-openssl.js';
import { ACTOR, addCredential, b64, CSC, logEvents, OIDS, startApp, type TestApp } from './support/app.js';
import { cli } from './support/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');
const CLI_MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (Debian package chromium)`;
if (missing && process.env.CI) throw new Error(`Chromium is required in CI: ${missing}`);
if (missing) console.warn(`skipping the browser test: ${missing}`);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe.skipIf(missing !== undefined)('WEB-1: the oauth2code flow in Chromium with a virtual authenticator', () => {
  let t: TestApp;
  let browser: Browser;
  let appServer: Server;
  let appUrl: string;
  let rssp: string;
  const received: URL[] = [];

  beforeAll(async () => {
    const port = await freePort();
    // WebAuthn needs a secure context and a domain RP ID: http://localhost is both.
    rssp = `http://localhost:${port}`;
    // admin.requiredLevel 4: the admin API takes only security-key sign-ins (second test).
    t = await startApp({ config: { http: { host: '127.0.0.1', port, publicUrl: rssp }, admin: { requiredLevel: 4 } } });
    await t.app.http.listen({ host: '127.0.0.1', port });
    // The signature application: one page and its redirect URI.
    appServer = createServer((req, res) => {
      const u = new URL(req.url ?? '/', appUrl);
      if (u.pathname === '/cb') received.push(u);
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(u.pathname === '/cb' ? '<h1 id="done">Signed</h1>' : String(pages.get(u.pathname) ?? 'not found'));
    });
    await new Promise<void>((r) => appServer.listen(0, '127.0.0.1', r));
    appUrl = `http://localhost:${(appServer.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => appServer?.close(r));
    await t?.close();
  });

  const pages = new Map<string, string>();
  let context: BrowserContext;
  let page: Page;

  it('AUTH-4, VIEW: security key registration, login, consent with the verification code, approval, SAD, signHash, openssl verify', async () => {
    const demoId = (await t.app.users.findByUsername('demo'))!.id;
    const credentialId = await addCredential(t.app, demoId);
    await t.app.users.setCredentialPolicy(credentialId, { level: 4 }, ACTOR);
    const reg = await t.app.oauth.clients.register(
      {
        name: 'Contract Signer',
        redirectUris: [`${appUrl}/cb`],
        authMethod: 'client_secret_basic',
        grantTypes: ['authorization_code'],
      },
      ACTOR,
    );
    context = await browser.newContext();
    page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'usb',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    // 1. The signer registers a security key with an enrolment code from the officer.
    const { code: enrolmentCode } = await t.app.users.issueEnrolmentCode(demoId, ACTOR);
    await page.goto(`${rssp}/rssp/register`);
    await page.getByLabel('One-time code', { exact: true }).fill(enrolmentCode);
    await page.getByRole('button', { name: 'Register security key' }).click();
    await page.locator('#webauthn-ok').waitFor({ state: 'visible', timeout: 20_000 });
    const keys = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(keys.credentials.length).toBe(1);
    expect(keys.credentials[0]?.isResidentCredential).toBe(true);

    // 2. The signature application hashes the document and shows the verification code.
    const document = Buffer.from('%PDF-1.7 contract between A and B');
    const hash = createHash('sha256').update(document).digest();
    const code = verificationCode([hash]);
    const verifier = randomBytes(32).toString('base64url');
    const details = [
      {
        type: 'credential',
        credentialID: credentialId,
        hashAlgorithmOID: OIDS.sha256,
        documentDigests: [{ hash: hash.toString('base64'), label: 'contract.pdf' }],
      },
    ];
    const authorize = `${rssp}${CSC}/oauth2/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: reg.client.id,
      redirect_uri: `${appUrl}/cb`,
      scope: 'credential',
      authorization_details: JSON.stringify(details),
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
      state: 'browser-state',
    })}`;
    pages.set(
      '/',
      `<!doctype html><title>Contract Signer</title><h1>Sign contract.pdf</h1><p>Verification code: <strong id="vc">${code}</strong></p><a id="sign" href="${authorize.replace(/&/g, '&amp;')}">Sign with shomei</a>`,
    );
    await page.goto(`${appUrl}/`);
    const appCode = await page.locator('#vc').textContent();
    await page.click('#sign');

    // 3. The RSSP's login page: sign in with the security key (no user name typed).
    await page.getByRole('button', { name: 'Sign in with a security key' }).click();

    // 4. The consent page: client, document, hash and the same verification code.
    await page.getByRole('heading', { name: 'Approve signing' }).waitFor({ timeout: 20_000 });
    const shown = await page.locator('#verification-code').textContent();
    expect(shown).toBe(appCode);
    await expect(page.getByText('contract.pdf').isVisible()).resolves.toBe(true);
    await expect(page.getByText(hash.toString('hex')).isVisible()).resolves.toBe(true);
    await expect(page.getByText('Contract Signer').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'consent-page.png'), fullPage: true });

    // 5. Approve with the security key: back at the application with a code.
    await page.getByRole('button', { name: 'Approve with security key' }).click();
    await page.locator('#done').waitFor({ timeout: 20_000 });
    const cb = received.at(-1) as URL;
    expect(cb.searchParams.get('state')).toBe('browser-state');
    const authCode = cb.searchParams.get('code') as string;
    expect(authCode).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // 6. The application redeems the code (PKCE) for the SAD and signs the hash.
    const token = await fetch(`${rssp}${CSC}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(reg.client.id)}:${encodeURIComponent(reg.clientSecret as string)}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: authCode,
        code_verifier: verifier,
        redirect_uri: `${appUrl}/cb`,
        authorization_details: JSON.stringify(details),
      }),
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, string> }));
    expect(token.status, JSON.stringify(token.json)).toBe(200);
    const signed = await t.post(
      'signatures/signHash',
      { credentialID: credentialId, hashes: [b64(hash)], signAlgo: OIDS.ecdsaSha256 },
      token.json.access_token,
    );
    expect(signed.status, signed.text).toBe(200);
    const info = await t.post('credentials/info', { credentialID: credentialId }, t.token);
    const spki = new X509Certificate(Buffer.from(info.json.cert.certificates[0], 'base64')).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    expect(pkeyutlVerify(spki, hash, Buffer.from(signed.json.signatures[0], 'base64'), []).ok).toBe(true);

    const events = await logEvents(t.app);
    const approvals = events.filter((e) => e.type === 'auth.webauthn' && e.outcome === 'success');
    expect(approvals.map((e) => e.purpose)).toEqual(['login', 'approve']);
    expect(events.some((e) => e.type === 'rssp.consent' && e.level === 4 && e.verificationCode === code)).toBe(true);
  }, 120_000);

  it('API-2, AUTH-4: `shomei admin login --security-key` signs an administrator in at level 4 through the page; password + TOTP is refused', async () => {
    const demoId = (await t.app.users.findByUsername('demo'))!.id;
    await t.app.users.grantRole(demoId, 'registration_officer', ACTOR);
    const tokenFile = join(t.dir, 'admin-token.json');
    const env = { ...process.env, SHOMEI_LOG_LEVEL: 'silent' };
    const child = spawn(
      'node',
      [
        '--import',
        'tsx',
        CLI_MAIN,
        'admin',
        'login',
        '--server',
        rssp,
        '--security-key',
        '--token-file',
        tokenFile,
        '--json',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /(http:\/\/localhost:\d+\/rssp\/admin\?\S+)/.exec(stderr);
        if (m) resolve(m[1] as string);
      });
      child.on('exit', () => reject(new Error(`the CLI exited: ${stderr}`)));
    });
    const exited = new Promise<number>((r) => child.on('exit', (c) => r(c ?? -1)));
    await page.goto(url);
    await page.getByRole('button', { name: 'Sign in with a security key' }).click();
    await page.getByRole('heading', { name: 'Sign in to administration' }).waitFor({ timeout: 20_000 });
    await expect(page.getByText('registration_officer').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-sign-in.png'), fullPage: true });
    await page.getByRole('button', { name: 'Approve with security key' }).click();
    expect(await exited, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ level: 4, username: 'demo' });
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);

    const list = await cli(t.dir, ['admin', 'users', 'list', '--token-file', tokenFile, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.json.map((u: { username: string }) => u.username)).toContain('demo');
    const level3 = await cli(
      t.dir,
      ['admin', 'login', '--server', rssp, '--username', 'demo', '--totp', '123456', '--token-file', `${tokenFile}.3`],
      { env: { SHOMEI_ADMIN_PASSWORD: t.demo.password } },
    );
    expect(level3.code).not.toBe(0);
    expect(level3.stderr).toContain('security key');
    const events = await logEvents(t.app);
    expect(events.some((e) => e.type === 'admin.login' && e.outcome === 'success' && e.level === 4)).toBe(true);
    await context.close();
  }, 120_000);
});
