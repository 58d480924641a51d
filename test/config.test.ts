import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { ConfigError, insecureSettings, loadConfig, parseConfig, refusals } from '../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'shomei-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('configuration (DEP-1, DEP-3)', () => {
  it('DEP-1: works with no file and no environment, and is frozen', () => {
    const c = loadConfig({ env: {} });
    expect(c.http.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBe('');
    expect(Object.isFrozen(c.http)).toBe(true);
  });

  it('DEP-3: file < SHOMEI_* environment, including SECTION__KEY names', () => {
    const file = join(dir, 'shomei.json');
    writeFileSync(file, JSON.stringify({ http: { port: 9001 }, auth: { maxFailures: 7 } }));
    const c = loadConfig({
      file,
      env: { SHOMEI_PORT: '9002', SHOMEI_DATABASE_URL: 'postgres://x/y', SHOMEI_AUTH__SAD_TTL_SECONDS: '60' },
    });
    expect(c.http.port).toBe(9002);
    expect(c.auth.maxFailures).toBe(7);
    expect(c.auth.sadTtlSeconds).toBe(60);
    expect(c.databaseUrl).toBe('postgres://x/y');
  });

  it('DEP-3: every invalid setting is reported at once, by path', () => {
    try {
      parseConfig({ http: { port: 'eighty' }, auth: { maxFailures: 0 }, bogus: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const m = (e as Error).message;
      expect(m).toContain('/http/port');
      expect(m).toContain('/auth/maxFailures');
    }
  });

  it('AUTH-2, DEP-3: plain HTTP off loopback is refused; insecure settings are warned about', () => {
    expect(refusals(parseConfig({ http: { host: '0.0.0.0' } }))).toHaveLength(1);
    expect(refusals(parseConfig({ http: { host: '127.0.0.1' } }))).toHaveLength(0);
    expect(refusals(parseConfig({ http: { host: '::1' } }))).toHaveLength(0);
    expect(refusals(parseConfig({ http: { tlsCert: '/x.pem' } }))).toHaveLength(1);
    const w = insecureSettings(parseConfig({ mode: 'production', auth: { scryptLogN: 12 } }));
    expect(w.join('\n')).toMatch(/without TLS/);
    expect(w.join('\n')).toMatch(/key-encryption key/);
    expect(w.join('\n')).toMatch(/scrypt cost/);
    expect(w.join('\n')).toMatch(/factor key/);
  });
});

describe('TLS (AUTH-2: TLS for anything but loopback development)', () => {
  it('serves the CSC API over HTTPS with the configured certificate and key', async () => {
    const key = join(dir, 'tls.key');
    const cert = join(dir, 'tls.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const config = parseConfig({
      dataDir: join(dir, 'data'),
      logLevel: 'silent',
      auth: { scryptLogN: 10 },
      http: { port: 0, tlsCert: cert, tlsKey: key },
    });
    const app = await buildApp(config, { logger: false });
    try {
      await app.http.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.http.server.address() as { port: number }).port;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/csc/v2/info', method: 'POST', ca: readFileSync(cert) },
          (res) => {
            let s = '';
            res.on('data', (d) => (s += d));
            res.on('end', () => resolve(s));
          },
        );
        req.on('error', reject);
        req.setHeader('content-type', 'application/json');
        req.end('{}');
      });
      expect(JSON.parse(body).specs).toBe('2.0.0.2');
      expect(app.baseUrl.startsWith('https://')).toBe(true);
    } finally {
      await app.close();
    }
  });
});
