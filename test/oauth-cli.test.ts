/**
 * `shomei client register|list|disable` as an operator runs them (a real process on a data
 * directory): the secret is shown once and stored only as a scrypt verifier; a private_key_jwt
 * client registers a public JWK Set; bad input exits 1 with a catalogue code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';

describe('AUTH-2: OAuth2 clients from the command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shomei-oauth-cli-'));
    expect((await cli(dir, ['init', '--json'])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('AUTH-2: register shows the secret once; list never shows it; disable marks the client disabled', async () => {
    const r = await cli(dir, [
      'client',
      'register',
      '--name',
      'Signing app',
      '--redirect-uri',
      'https://app.example/cb',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ name: 'Signing app', authMethod: 'client_secret_basic', status: 'enabled' });
    expect(r.json.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const list = await cli(dir, ['client', 'list', '--json']);
    expect(list.stdout).not.toContain(r.json.clientSecret);
    expect(list.json.map((c: { id: string }) => c.id)).toContain(r.json.id);
    const off = await cli(dir, ['client', 'disable', r.json.id, '--json']);
    expect(off.json.status).toBe('disabled');
  });

  it('AUTH-2: a private_key_jwt client registers a public JWK Set; a private key or a bad URI is refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const pub = join(dir, 'jwks.json');
    writeFileSync(pub, JSON.stringify({ keys: [await exportJWK(publicKey)] }));
    const r = await cli(dir, [
      'client',
      'register',
      '--name',
      'JWT app',
      '--redirect-uri',
      'https://app.example/cb',
      '--auth',
      'private_key_jwt',
      '--jwks',
      pub,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.clientSecret).toBeUndefined();
    const priv = join(dir, 'private.json');
    writeFileSync(priv, JSON.stringify({ keys: [await exportJWK(privateKey)] }));
    const refused = await cli(dir, [
      'client',
      'register',
      '--name',
      'x',
      '--redirect-uri',
      'https://a.example/cb',
      '--auth',
      'private_key_jwt',
      '--jwks',
      priv,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('invalid_parameter');
    const http = await cli(dir, ['client', 'register', '--name', 'x', '--redirect-uri', 'http://app.example/cb']);
    expect(http.code).toBe(1);
    expect(http.stderr).toContain('Invalid parameter redirect_uri');
  });
});
