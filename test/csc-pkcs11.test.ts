/**
 * SIGN-5 through the whole service: `buildApp` with `keystore.kind = pkcs11` on a throwaway SoftHSM2
 * token, in-process and with a signing child process. A signer's credential is authorised and
 * signs over real HTTP; openssl verifies each signature against the credential's certificate, and
 * pkcs11js shows the private key cannot be read out of the token (SIGN-2). The CLI refuses to start
 * with a clear, PIN-free message when the module or the settings are wrong.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKeyStore, pkcs11Target } from '../src/bootstrap/keystore.js';
import { ConfigError, parseConfig } from '../src/config/index.js';
import { HASHES } from '../src/keys/index.js';
import { parseKeyRef } from '../src/keys/pkcs11/index.js';
import { acquireModule, findSlot, type Pkcs11Module, releaseModule } from '../src/keys/pkcs11/module.js';
import { findKey } from '../src/keys/pkcs11/objects.js';
import { systemRandom } from '../src/platform/index.js';
import { certPem, openssl, pkeyutlVerify } from './keys-openssl.js';
import { authorizeBody, b64, httpPost, OIDS, sha256, startApp, type TestApp } from './support/app.js';
import { createSoftHsm, type SoftHsm, softHsmUnavailable } from './support/softhsm.js';

const TOKEN = 'shomei-csc';
const skip = softHsmUnavailable();

describe.skipIf(skip).each([{ processes: 0 }, { processes: 1 }])(
  'SIGN-5: the CSC API on a PKCS#11 token ($processes signing child processes)',
  ({ processes }) => {
    let hsm: SoftHsm;
    let t: TestApp;
    let url: string;

    beforeAll(async () => {
      hsm = createSoftHsm([TOKEN]);
      const pkcs11 = { module: hsm.modulePath, tokenLabel: TOKEN, pin: hsm.pin, sessions: 2, processes };
      t = await startApp({ config: { keystore: { kind: 'pkcs11', pkcs11 } } });
      url = await t.listen();
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      hsm?.cleanup();
    });

    const keyOf = async (credentialId: string) =>
      t.app.store.db
        .selectFrom('credentials')
        .innerJoin('keys', 'keys.id', 'credentials.key_id')
        .select(['keys.ref', 'keys.wrapped', 'keys.key_type'])
        .where('credentials.id', '=', credentialId)
        .executeTakeFirstOrThrow();

    it('SIGN-5, KEY-1: every key of the service (log, CA, signers) is a token object named by a PKCS#11 URI', async () => {
      const rows = await t.app.store.db.selectFrom('keys').select(['ref', 'wrapped', 'kek_id', 'key_type']).execute();
      expect(rows.length).toBeGreaterThanOrEqual(3);
      for (const r of rows) {
        expect(r.ref).toMatch(new RegExp(`^pkcs11:token=${TOKEN};id=`));
        expect(r.wrapped).toBeNull();
        expect(r.kek_id).toBeNull();
      }
      // The log's Ed25519 key is in the token too (CKM_EDDSA), so no KEK is ever made.
      expect(rows.some((r) => r.key_type === 'Ed25519')).toBe(true);
      expect(existsSync(join(t.dir, 'kek'))).toBe(false);
    });

    it.each([
      ['RSA-2048 PKCS#1 v1.5', 'rsa2048', OIDS.sha256WithRSA, ['digest:sha256']],
      ['ECDSA P-256', 'p256', OIDS.ecdsaSha256, ['digest:sha256']],
    ] as const)(
      'SIGN-5: authorize + signHash over HTTP with a %s key in the token; openssl verifies against the certificate',
      async (_, which, signAlgo, pkeyopts) => {
        const credentialID = t.demo.credentials[which];
        const hashes = Array.from({ length: 5 }, (_, i) => sha256(`document ${which} ${i}`));
        const auth = await httpPost(
          url,
          'credentials/authorize',
          authorizeBody(credentialID, t.demo.pin, hashes),
          t.token,
        );
        expect(auth.status, auth.text).toBe(200);
        const body = { credentialID, SAD: auth.json.SAD, hashes: hashes.map(b64), signAlgo };
        const signed = await httpPost(url, 'signatures/signHash', body, t.token);
        expect(signed.status, signed.text).toBe(200);
        const info = await httpPost(url, 'credentials/info', { credentialID, certificates: 'single' }, t.token);
        const cert = certPem(Buffer.from(info.json.cert.certificates[0], 'base64'));
        const signatures = signed.json.signatures as string[];
        expect(signatures).toHaveLength(5);
        signatures.forEach((s, i) => {
          const files = { 'cert.pem': cert, digest: hashes[i] as Buffer, sig: Buffer.from(s, 'base64') };
          const args = [
            'pkeyutl',
            '-verify',
            '-certin',
            '-inkey',
            '{cert.pem}',
            '-in',
            '{digest}',
            '-sigfile',
            '{sig}',
          ];
          const o = openssl(files, [...args, ...pkeyopts.flatMap((p) => ['-pkeyopt', p])]);
          expect(o.out).toContain('Signature Verified Successfully');
        });
        expect((await keyOf(credentialID)).wrapped).toBeNull();
      },
    );

    it.each([
      ['rsa2048', 'RSA-2048', [pkcs11js.CKA_PRIVATE_EXPONENT, pkcs11js.CKA_PRIME_1, pkcs11js.CKA_PRIME_2]],
      ['p256', 'EC-P256', [pkcs11js.CKA_VALUE]],
    ] as const)(
      'SIGN-2: the %s credential private key cannot be read out of the token (CKR_ATTRIBUTE_SENSITIVE)',
      async (which, keyType, secrets) => {
        const { ref, key_type } = await keyOf(t.demo.credentials[which]);
        expect(key_type).toBe(keyType);
        const module: Pkcs11Module = acquireModule(hsm.modulePath); // the app's context, refcounted
        try {
          const p11 = module.p11;
          // Logged in already through the key store: login state is per application (v2.40 §2.6.7).
          const s = p11.C_OpenSession(findSlot(module, TOKEN), pkcs11js.CKF_SERIAL_SESSION);
          try {
            const key = findKey(p11, s, pkcs11js.CKO_PRIVATE_KEY, parseKeyRef(ref).id);
            const read = (type: number) => {
              try {
                return p11.C_GetAttributeValue(s, key, [{ type }])[0]?.value;
              } catch (e) {
                return e instanceof pkcs11js.Pkcs11Error ? e.code : e;
              }
            };
            // v2.40 §5.7: a sensitive or unextractable attribute answers CKR_ATTRIBUTE_SENSITIVE.
            for (const secret of secrets) expect(read(secret)).toBe(pkcs11js.CKR_ATTRIBUTE_SENSITIVE);
            expect(read(pkcs11js.CKA_SENSITIVE)).toEqual(Buffer.of(1));
            expect(read(pkcs11js.CKA_EXTRACTABLE)).toEqual(Buffer.of(0));
            expect(read(pkcs11js.CKA_PRIVATE)).toEqual(Buffer.of(1));
            expect(read(pkcs11js.CKA_NEVER_EXTRACTABLE)).toEqual(Buffer.of(1));
          } finally {
            p11.C_CloseSession(s);
          }
        } finally {
          releaseModule(module);
        }
      },
    );
  },
);

describe.skipIf(skip)('SIGN-5: start-up failures name the setting to fix', () => {
  let hsm: SoftHsm;
  beforeAll(() => {
    hsm = createSoftHsm([TOKEN]);
  });
  afterAll(() => hsm?.cleanup());
  const open = (pkcs11: Record<string, unknown>) =>
    openKeyStore(
      parseConfig({
        keystore: { kind: 'pkcs11', pkcs11: { module: hsm.modulePath, tokenLabel: TOKEN, pin: hsm.pin, ...pkcs11 } },
      }),
      systemRandom,
      () => {
        throw new Error('the software key store must not be built');
      },
    );

  it.each([
    [{ tokenLabel: 'no-such-token' }, /^keystore\.pkcs11\.tokenLabel: no token labelled "no-such-token"/],
    [{ pin: '000000' }, /^keystore\.pkcs11\.pin \(SHOMEI_PKCS11_PIN\): The PKCS#11 token rejected the configured PIN$/],
    [
      { module: '/nonexistent/lib.so' },
      /^keystore\.pkcs11\.module: cannot load the PKCS#11 module \/nonexistent\/lib\.so/,
    ],
  ])('SIGN-5: %o is refused with a ConfigError', async (over, message) => {
    const e = await open(over).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(message);
    expect((e as Error).message).not.toContain('000000');
  });

  it('SIGN-5: a store opened from keystore.pkcs11.uri alone (token, module-path, pin-value) signs', async () => {
    const uri = `pkcs11:token=${TOKEN}?module-path=${hsm.modulePath}&pin-value=${hsm.pin}`;
    const ks = await open({ uri, module: '', tokenLabel: '', pin: '', processes: 0 });
    try {
      const stored = await ks.generate('EC-P256', 'from-uri');
      const handle = { id: 'from-uri', ref: stored.ref, keyType: 'EC-P256' as const, wrapped: null };
      const digest = sha256('from-uri');
      const [sig] = await ks.sign(handle, { scheme: 'ecdsa', hash: HASHES['SHA-256'] }, [digest]);
      expect(pkeyutlVerify(stored.publicKey, digest, sig as Buffer, ['digest:sha256']).out).toContain(
        'Signature Verified Successfully',
      );
    } finally {
      await ks.close();
    }
  });

  it('SIGN-5: with processes > 0 the store signs through child processes and closes them', async () => {
    const ks = await open({ processes: 1 });
    try {
      const stored = await ks.generate('EC-P256', 'bootstrap');
      const handle = { id: 'bootstrap', ref: stored.ref, keyType: 'EC-P256' as const, wrapped: null };
      const digest = sha256('bootstrap');
      const [sig] = await ks.sign(handle, { scheme: 'ecdsa', hash: HASHES['SHA-256'] }, [digest]);
      expect(pkeyutlVerify(stored.publicKey, digest, sig as Buffer, ['digest:sha256']).out).toContain(
        'Signature Verified Successfully',
      );
    } finally {
      await ks.close();
    }
  });
});

describe('SIGN-5: configuration of the PKCS#11 key store', () => {
  it('SIGN-5: keystore.kind pkcs11 without module, token and PIN is refused, naming each setting', () => {
    expect(() => parseConfig({ keystore: { kind: 'pkcs11' } })).toThrow(
      /keystore\/pkcs11\/module: required[\s\S]*tokenLabel: required[\s\S]*pin: required.*SHOMEI_PKCS11_PIN/,
    );
  });

  it('SIGN-5: defaults stay on the software key store; the PKCS#11 settings come from JSON or the environment', () => {
    expect(parseConfig({}).keystore.kind).toBe('software');
    const c = parseConfig({ keystore: { kind: 'pkcs11', pkcs11: { module: '/m.so', tokenLabel: 't', pin: '1234' } } });
    expect(c.keystore.pkcs11).toMatchObject({ module: '/m.so', tokenLabel: 't', pin: '1234' });
    expect(c.keystore.pkcs11.sessions).toBeGreaterThan(0);
    expect(c.keystore.pkcs11.processes).toBeGreaterThanOrEqual(0);
  });
});

describe('SIGN-5: the token named by a PKCS#11 URI (RFC 7512) in configuration', () => {
  const base = { module: '', tokenLabel: '', pin: '', sessions: 1, processes: 0 };
  it('SIGN-5: token, module-path and pin-source (a file) come from the URI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shomei-uri-'));
    try {
      writeFileSync(join(dir, 'pin'), '4321\n', { mode: 0o600 });
      const uri = `pkcs11:token=shomei%20main?module-path=/usr/lib/x.so&pin-source=file:${join(dir, 'pin')}`;
      expect(pkcs11Target({ ...base, uri })).toEqual({
        module: '/usr/lib/x.so',
        tokenLabel: 'shomei main',
        pin: '4321',
      });
      const c = parseConfig({ keystore: { kind: 'pkcs11', pkcs11: { uri } } });
      expect(c.keystore.pkcs11.uri).toBe(uri);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGN-5: settings fill what the URI lacks; a URI and a setting that disagree are refused', () => {
    expect(pkcs11Target({ ...base, uri: 'pkcs11:token=t', module: '/m.so', pin: '1' })).toEqual({
      module: '/m.so',
      tokenLabel: 't',
      pin: '1',
    });
    expect(() => pkcs11Target({ ...base, uri: 'pkcs11:token=a', tokenLabel: 'b', module: '/m', pin: '1' })).toThrow(
      /disagree/,
    );
    expect(() => pkcs11Target({ ...base, uri: 'pkcs11:token=a', pin: '1' })).toThrow(/no module/);
    expect(() => pkcs11Target({ ...base, uri: 'pkcs11:token=a;token=b', module: '/m', pin: '1' })).toThrow(
      /keystore.pkcs11.uri/,
    );
    expect(() => parseConfig({ keystore: { kind: 'pkcs11', pkcs11: { uri: 'token=a' } } })).toThrow(/pkcs11:/);
  });
});

describe('SIGN-5: `shomei serve` with a wrong PKCS#11 module', () => {
  const exec = promisify(execFile);
  const ROOT = join(import.meta.dirname, '..');
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'shomei-cli-pkcs11-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function serve(env: Record<string, string>) {
    const base: NodeJS.ProcessEnv = { ...process.env, SHOMEI_LOG_LEVEL: 'silent', ...env };
    for (const k of Object.keys(base)) if (k.startsWith('SHOMEI_') && k.includes('DATABASE')) delete base[k];
    const args = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), '--data-dir', dataDir, 'serve', '--port', '0'];
    try {
      await exec('node', [...args, '--no-demo'], { cwd: ROOT, env: base, timeout: 60_000 });
      return { code: 0, stderr: '' };
    } catch (e) {
      const err = e as { code?: number; stderr?: string };
      return { code: err.code, stderr: err.stderr ?? '' };
    }
  }

  it('SIGN-5: refuses to start, names the setting and the path, and never prints the PIN', async () => {
    const pin = 'pin-4711-never-shown';
    const r = await serve({
      SHOMEI_KEYSTORE: 'pkcs11',
      SHOMEI_PKCS11_MODULE: '/nonexistent/libnope-pkcs11.so',
      SHOMEI_PKCS11_TOKEN: 'shomei',
      SHOMEI_PKCS11_PIN: pin,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'shomei: keystore.pkcs11.module: cannot load the PKCS#11 module /nonexistent/libnope-pkcs11.so',
    );
    expect(r.stderr).not.toContain(pin);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  }, 90_000);

  it('SIGN-5: refuses to start without a PIN, naming SHOMEI_PKCS11_PIN', async () => {
    const r = await serve({ SHOMEI_KEYSTORE: 'pkcs11', SHOMEI_PKCS11_MODULE: '/x.so', SHOMEI_PKCS11_TOKEN: 't' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /\/keystore\/pkcs11\/pin: required when keystore.kind is pkcs11 \(or set SHOMEI_PKCS11_PIN\)/,
    );
  }, 90_000);
});
