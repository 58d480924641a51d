/**
 * KEY-2, the key lifecycle: import (PKCS#8, PKCS#12 by CLI-level function and by HTTP upload, with
 * proof of possession), transfer from a CA (wrapped for the transport key), renew, re-key, revoke
 * and destroy — each logged with who and why, never with key material. Files come from OpenSSL and
 * signatures made after each step are verified by OpenSSL (STYLE.md 14).
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureTransportKey,
  importUserKey,
  type LifecycleDeps,
  lifecycleDeps,
  rekeyCredential,
  renewCredential,
  revokeCredential,
  transferKey,
} from '../src/admin/index.js';
import { encodeTransfer, parseTransfer, readPkcs12, wrapForTransport } from '../src/keys/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { pkeyutlVerify } from './keys-openssl.js';
import {
  ACTOR,
  authorizeBody,
  b64,
  logEvents,
  OIDS,
  sha256,
  startApp,
  startAppOn,
  type TestApp,
} from './support/app.js';
import { cli } from './support/cli.js';
import { backends } from './support/stores.js';

const DAY = 86_400_000;
const PASSWORD = 'p12 pass — ünïcode-free';
const WHY = { actor: ACTOR, reason: 'KEY-2 test' };

interface Signer {
  readonly pkcs8: Buffer;
  /** DER, end-entity first. */
  readonly chain: Buffer[];
  readonly p12: Buffer;
}

/** An "external CA" and a signer key certified by it, made with OpenSSL. */
function makeSigner(
  kind: 'ec' | 'rsa',
  opts: { days?: number; legacy?: boolean; certKey?: 'other'; iter?: number } = {},
): Signer {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-lifecycle-'));
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  const pair = () =>
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  try {
    const key = pair();
    writeFileSync(join(dir, 'key.pem'), key.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const certified = opts.certKey === 'other' ? pair() : key;
    writeFileSync(join(dir, 'cert-key.pem'), certified.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    run(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key'].concat([
        '-out',
        'ca.pem',
        '-subj',
        '/CN=External Test CA',
        '-days',
        '30',
      ]),
    );
    run(['req', '-new', '-key', 'cert-key.pem', '-subj', '/CN=Imported Signer/C=JP', '-out', 'ee.csr']);
    run(
      ['x509', '-req', '-in', 'ee.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-sha256'].concat([
        '-days',
        String(opts.days ?? 10),
        '-out',
        'ee.pem',
      ]),
    );
    if (opts.certKey !== 'other')
      run(
        ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'ee.pem', '-certfile', 'ca.pem', '-out', 'a.p12'].concat(
          ['-passout', `pass:${PASSWORD}`],
          opts.legacy ? ['-legacy'] : [],
          opts.iter ? ['-iter', String(opts.iter), '-nomaciter'] : [],
        ),
      );
    const der = (f: string) => Buffer.from(new X509Certificate(readFileSync(join(dir, f))).raw);
    return {
      pkcs8: key.privateKey.export({ type: 'pkcs8', format: 'der' }),
      chain: [der('ee.pem'), der('ca.pem')],
      p12: opts.certKey === 'other' ? Buffer.alloc(0) : readFileSync(join(dir, 'a.p12')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(await backends())('KEY-2 key lifecycle on $name', (backend) => {
  const clock = manualClock(Date.now());
  let t: TestApp;
  let deps: LifecycleDeps;

  beforeAll(async () => {
    t = await startAppOn(backend, { platform: { clock, random: systemRandom } });
    deps = lifecycleDeps(t.app);
  });
  afterAll(async () => {
    await t?.close();
  });
  // OpenSSL dates its certificates by the real clock (whole seconds); the service's clock follows.
  beforeEach(() => clock.set(Date.now()));
  const signer = (...args: Parameters<typeof makeSigner>) => {
    const s = makeSigner(...args);
    clock.set(Date.now() + 1000);
    return s;
  };

  const userId = async () => (await t.app.users.findByUsername(t.demo.username))?.id as string;

  /** authorize + signHash through the CSC API; the signature and the signing certificate. */
  async function signWith(credentialID: string, data = 'KEY-2 signed document') {
    const hash = sha256(data);
    const auth = await t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, [hash]), t.token);
    if (auth.status !== 200) return { status: auth.status, json: auth.json, hash };
    const info = await t.post('credentials/info', { credentialID, certificates: 'single' }, t.token);
    const algos = info.json.key.algo as string[];
    const algo = algos.includes(OIDS.sha256WithRSA) ? OIDS.sha256WithRSA : OIDS.ecdsaSha256;
    const sign = await t.post(
      'signatures/signHash',
      { credentialID, SAD: auth.json.SAD, hashes: [b64(hash)], hashAlgorithmOID: OIDS.sha256, signAlgo: algo },
      t.token,
    );
    const certDer = Buffer.from(info.json.cert.certificates[0] as string, 'base64');
    return {
      status: sign.status,
      json: sign.json,
      hash,
      algo,
      certDer,
      signature: Buffer.from(sign.json?.signatures?.[0] ?? '', 'base64'),
    };
  }

  /** OpenSSL verifies the signature over the digest under the certificate's key. */
  function opensslVerifies(r: Awaited<ReturnType<typeof signWith>>): boolean {
    if (!r.certDer || !r.signature) return false;
    const spki = new X509Certificate(r.certDer).publicKey.export({ type: 'spki', format: 'der' });
    const rsa = r.algo === OIDS.sha256WithRSA;
    return pkeyutlVerify(spki, r.hash, r.signature, rsa ? ['rsa_padding_mode:pkcs1', 'digest:sha256'] : []).ok;
  }

  async function eventsOf(type: string) {
    return (await logEvents(t.app)).filter((e) => e.type === type);
  }

  it('KEY-2: a PKCS#12 from OpenSSL is opened; the key and its chain (end-entity first) come out', async () => {
    const s = signer('ec');
    const got = await readPkcs12(s.p12, PASSWORD);
    expect(got.pkcs8.equals(s.pkcs8)).toBe(true);
    expect(got.chain).toEqual(s.chain);
  });

  it('KEY-2: a wrong PKCS#12 password is pkcs12_invalid; a legacy RC2/3DES file is pkcs12_unsupported', async () => {
    const s = signer('ec');
    await expect(readPkcs12(s.p12, 'wrong')).rejects.toMatchObject({ code: 'pkcs12_invalid' });
    await expect(readPkcs12(Buffer.from('not a pfx'), PASSWORD)).rejects.toMatchObject({ code: 'pkcs12_invalid' });
    const legacy = signer('ec', { legacy: true });
    await expect(readPkcs12(legacy.p12, PASSWORD)).rejects.toMatchObject({ code: 'pkcs12_unsupported' });
  });

  it('KEY-2: a PKCS#12 asking for more than 10^6 PBKDF2 iterations is refused before any derivation', async () => {
    const s = signer('ec', { iter: 1_500_000 });
    const t0 = performance.now();
    await expect(readPkcs12(s.p12, PASSWORD)).rejects.toMatchObject({ code: 'pkcs12_unsupported' });
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it.each(['ec', 'rsa'] as const)(
    'KEY-2: an imported %s PKCS#12 key proves possession, becomes a credential and signs (openssl verifies)',
    async (kind) => {
      const s = signer(kind);
      const { pkcs8, chain } = await readPkcs12(s.p12, PASSWORD);
      const cred = await importUserKey(
        deps,
        { userId: await userId(), pkcs8, chain, source: 'pkcs12', multisign: 5 },
        WHY,
      );
      expect(pkcs8.every((b) => b === 0)).toBe(true); // wiped after use
      expect(cred.status).toBe('enabled');
      const r = await signWith(cred.id);
      expect(r.status).toBe(200);
      expect(r.certDer?.equals(s.chain[0] as Buffer)).toBe(true);
      expect(opensslVerifies(r)).toBe(true);
      const [event] = (await eventsOf('credential.import')).filter((e) => e.credentialID === cred.id);
      expect(event).toMatchObject({ actor: ACTOR, reason: 'KEY-2 test', outcome: 'success', source: 'pkcs12' });
    },
  );

  it('KEY-2: a key already registered is refused (conflict); the second copy is zeroised', async () => {
    const s = signer('ec');
    const req = () => ({ userId: '', pkcs8: Buffer.from(s.pkcs8), chain: s.chain, source: 'pkcs8' as const });
    const uid = await userId();
    await importUserKey(deps, { ...req(), userId: uid }, WHY);
    await expect(importUserKey(deps, { ...req(), userId: uid }, WHY)).rejects.toMatchObject({ code: 'conflict' });
    const spki = new X509Certificate(s.chain[0] as Buffer).publicKey.export({ type: 'spki', format: 'der' });
    const copies = (await t.app.keys.list()).filter((k) => k.publicKey.equals(spki));
    expect(copies.map((k) => k.status).sort()).toEqual(['active', 'destroyed']);
  });

  it('KEY-2: PKCS#8 with a certificate for another key is refused (proof_of_possession_failed), nothing is stored', async () => {
    const s = signer('ec', { certKey: 'other' });
    const before = (await t.app.keys.list()).length;
    const req = { userId: await userId(), pkcs8: Buffer.from(s.pkcs8), chain: s.chain, source: 'pkcs8' as const };
    await expect(importUserKey(deps, req, WHY)).rejects.toMatchObject({ code: 'proof_of_possession_failed' });
    expect((await t.app.keys.list()).length).toBe(before);
    const failures = (await eventsOf('credential.import')).filter((e) => e.outcome === 'failure');
    expect(failures.at(-1)).toMatchObject({ actor: ACTOR, reason: 'KEY-2 test', error: 'proof_of_possession_failed' });
  });

  it('KEY-2: an expired certificate is refused with certificate_expired', async () => {
    const s = signer('ec', { days: 1 });
    const now = clock.now();
    clock.set(now + 3 * DAY);
    try {
      const req = { userId: await userId(), pkcs8: Buffer.from(s.pkcs8), chain: s.chain, source: 'pkcs8' as const };
      await expect(importUserKey(deps, req, WHY)).rejects.toMatchObject({ code: 'certificate_expired' });
    } finally {
      clock.set(now);
    }
  });

  it('SIGN-4: an RSA-1024 key is refused with unsupported_algorithm', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const s = signer('ec');
    const req = {
      userId: await userId(),
      pkcs8: weak.privateKey.export({ type: 'pkcs8', format: 'der' }),
      chain: s.chain,
      source: 'pkcs8' as const,
    };
    await expect(importUserKey(deps, req, WHY)).rejects.toMatchObject({ code: 'unsupported_algorithm' });
  });

  it('KEY-2: a key a CA wrapped for the transport key (CKM_RSA_AES_KEY_WRAP) is transferred and signs (openssl verifies)', async () => {
    const published = await t.get('/keys/transport');
    expect(published.status).toBe(200);
    const spki = Buffer.from(published.json.spki, 'base64');
    const cert = new X509Certificate(Buffer.from(published.json.certificate, 'base64'));
    expect(cert.verify(cert.publicKey)).toBe(true); // self-signed by the transport key
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    const s = signer('rsa');
    const transfer = parseTransfer(encodeTransfer(wrapForTransport(spki, s.pkcs8)));
    const cred = await transferKey(deps, { userId: await userId(), transfer, chain: s.chain }, WHY);
    const r = await signWith(cred.id);
    expect(r.status).toBe(200);
    expect(opensslVerifies(r)).toBe(true);
    const [event] = (await eventsOf('credential.transfer')).filter((e) => e.credentialID === cred.id);
    expect(event).toMatchObject({ actor: ACTOR, reason: 'KEY-2 test', outcome: 'success' });
  });

  it('KEY-2: a transfer for another transport key, or tampered with, is refused with key_transfer_invalid', async () => {
    const s = signer('ec');
    const other = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey.export({ type: 'spki', format: 'der' });
    const chain = s.chain;
    const uid = await userId();
    const foreign = wrapForTransport(other, s.pkcs8);
    await expect(transferKey(deps, { userId: uid, transfer: foreign, chain }, WHY)).rejects.toMatchObject({
      code: 'key_transfer_invalid',
    });
    const mine = wrapForTransport((await ensureTransportKey(deps)).spki, s.pkcs8);
    const wrapped = Buffer.from(mine.wrapped);
    wrapped.writeUInt8((wrapped.at(-3) as number) ^ 1, wrapped.length - 3);
    await expect(transferKey(deps, { userId: uid, transfer: { ...mine, wrapped }, chain }, WHY)).rejects.toMatchObject({
      code: 'key_transfer_invalid',
    });
    expect(() => parseTransfer('{"format":"other"}')).toThrow(/cannot be unwrapped/);
  });

  it('KEY-2: renew gives the same key a new certificate; the old one is kept; logged with who and why', async () => {
    const credentialID = t.demo.credentials.p256;
    const cred = await t.app.users.getCredential(credentialID);
    const old = await t.app.keys.certificate(cred.keyId);
    const renewed = await renewCredential(
      deps,
      credentialID,
      { validityDays: 30 },
      { actor: ACTOR, reason: 'expiring' },
    );
    expect(renewed.serialNumber).not.toBe(old?.serialNumber);
    const kept = await t.app.store.db
      .selectFrom('key_certificates_previous')
      .selectAll()
      .where('key_id', '=', cred.keyId)
      .execute();
    expect(kept.map((k) => k.serial_number)).toContain(old?.serialNumber);
    const r = await signWith(credentialID);
    expect(r.status).toBe(200);
    expect(new X509Certificate(r.certDer as Buffer).serialNumber.toLowerCase()).toContain(renewed.serialNumber);
    expect(opensslVerifies(r)).toBe(true);
    const [event] = await eventsOf('credential.renew');
    expect(event).toMatchObject({
      actor: ACTOR,
      reason: 'expiring',
      previousSerial: old?.serialNumber,
      certificateSerial: renewed.serialNumber,
    });
  });

  it('KEY-2: re-key moves the credential to a new key with a new certificate; the old key is retired and kept', async () => {
    const credentialID = t.demo.credentials.rsa2048;
    const before = await t.app.users.getCredential(credentialID);
    const r = await rekeyCredential(deps, credentialID, {}, { actor: ACTOR, reason: 'annual re-key' });
    expect(r.previousKeyId).toBe(before.keyId);
    expect(r.credential.keyId).not.toBe(before.keyId);
    expect(r.csr.length).toBeGreaterThan(100);
    expect((await t.app.keys.get(before.keyId)).status).toBe('retired');
    expect(await t.app.keys.certificate(before.keyId)).not.toBeNull(); // kept for the record
    const s = await signWith(credentialID);
    expect(s.status).toBe(200);
    expect(opensslVerifies(s)).toBe(true);
    const [event] = await eventsOf('credential.rekey');
    expect(event).toMatchObject({
      actor: ACTOR,
      reason: 'annual re-key',
      previousKeyId: before.keyId,
      keyId: r.credential.keyId,
    });
    const [retire] = (await eventsOf('key.retire')).filter((e) => e.keyId === before.keyId);
    expect(retire).toMatchObject({ actor: ACTOR, reason: 'annual re-key' });
  });

  it('KEY-2: revoke stops signing at once (authorize and an already issued SAD); logged with who and why', async () => {
    const credentialID = t.demo.credentials.rsaPss;
    const hash = sha256('before revocation');
    const auth = await t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, [hash]), t.token);
    expect(auth.status).toBe(200);
    await revokeCredential(deps, credentialID, 'keyCompromise', { actor: ACTOR, reason: 'laptop stolen' });
    const again = await t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, [hash]), t.token);
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: 'invalid_request', error_description: 'Signing certificate is not valid' });
    const sign = await t.post(
      'signatures/signHash',
      {
        credentialID,
        SAD: auth.json.SAD,
        hashes: [b64(hash)],
        hashAlgorithmOID: OIDS.sha256,
        signAlgo: OIDS.sha256WithRSA,
      },
      t.token,
    );
    expect(sign.json.error_description).toBe('Signing certificate is not valid');
    const info = await t.post('credentials/info', { credentialID, certInfo: true }, t.token);
    expect(info.json.cert.status).toBe('revoked');
    await expect(renewCredential(deps, credentialID, {}, WHY)).rejects.toMatchObject({ code: 'invalid_state' });
    const [cert] = await eventsOf('certificate.revoke');
    expect(cert).toMatchObject({ actor: ACTOR, reason: 'laptop stolen', revocationReason: 'keyCompromise' });
    const [cred] = await eventsOf('credential.revoke');
    expect(cred).toMatchObject({ actor: ACTOR, reason: 'laptop stolen', credentialID });
  });

  it('KEY-2: a revocation reason outside RFC 5280 §5.3.1, or a change without a reason, is refused', async () => {
    const cred = await t.app.users.getCredential(t.demo.credentials.p256);
    await expect(revokeCredential(deps, cred.id, 'because' as 'superseded', WHY)).rejects.toMatchObject({
      code: 'invalid_parameter',
    });
    await expect(t.app.keys.destroy(cred.keyId, { actor: ACTOR, reason: ' ' })).rejects.toMatchObject({
      code: 'missing_string',
    });
    await expect(rekeyCredential(deps, cred.id, {}, { actor: ACTOR, reason: '' })).rejects.toMatchObject({
      code: 'missing_string',
    });
  });

  it('SIGN-2: destroy zeroises the key; signing fails; logged with who and why', async () => {
    const s = signer('ec');
    const cred = await importUserKey(
      deps,
      { userId: await userId(), pkcs8: Buffer.from(s.pkcs8), chain: s.chain, source: 'pkcs8' },
      WHY,
    );
    await t.app.keys.destroy(cred.keyId, { actor: ACTOR, reason: 'signer left the company' });
    const row = await t.app.store.db
      .selectFrom('keys')
      .selectAll()
      .where('id', '=', cred.keyId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'destroyed', wrapped: null });
    const r = await signWith(cred.id);
    expect(r.status).toBe(400);
    expect(r.json.error_description).toBe('The credential is disabled');
    const [event] = (await eventsOf('key.destroy')).filter((e) => e.keyId === cred.keyId);
    expect(event).toMatchObject({ actor: ACTOR, reason: 'signer left the company', outcome: 'success' });
  });

  it('LOG-1: no lifecycle log entry carries key material or the PKCS#12 password', async () => {
    const s = signer('ec');
    const { pkcs8, chain } = await readPkcs12(s.p12, PASSWORD);
    await importUserKey(deps, { userId: await userId(), pkcs8, chain, source: 'pkcs12' }, WHY);
    const text = JSON.stringify(await logEvents(t.app));
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(s.pkcs8.toString('base64').slice(40, 80));
    expect(text).not.toContain(s.pkcs8.toString('hex').slice(80, 140));
  });

  describe('POST /keys/import (the signer uploads a PKCS#12)', () => {
    const upload = (body: unknown, token = t.token) => t.post('/keys/import', body, token);

    it('KEY-2: the signer uploads their PKCS#12 and gets an enabled credential that signs (openssl verifies)', async () => {
      const s = signer('ec');
      const r = await upload({ pkcs12: b64(s.p12), password: PASSWORD, description: 'my own key' });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ keyType: 'EC-P256', status: 'enabled' });
      const signed = await signWith(r.json.credentialID);
      expect(signed.status).toBe(200);
      expect(opensslVerifies(signed)).toBe(true);
      const [event] = (await eventsOf('credential.import')).filter((e) => e.credentialID === r.json.credentialID);
      expect(event).toMatchObject({ actor: await userId(), outcome: 'success', source: 'pkcs12' });
    });

    it('KEY-2: wrong password, garbage, mismatch, no token: stable 4xx codes, never a 500', async () => {
      const s = signer('ec');
      const wrong = await upload({ pkcs12: b64(s.p12), password: 'nope' });
      expect(wrong.status).toBe(400);
      expect(wrong.json.error_description).toBe('The PKCS#12 file cannot be opened: wrong password or damaged file');
      expect((await upload({ pkcs12: '!!!', password: 'x' })).status).toBe(400);
      expect((await upload({ pkcs12: b64(Buffer.alloc(300, 7)), password: 'x' })).status).toBe(400);
      expect((await upload({ password: 'x' })).json.error_description).toBe(
        'Missing (or invalid type) string parameter pkcs12',
      );
      expect((await upload({ pkcs12: b64(s.p12), password: PASSWORD }, 'not-a-token')).status).toBe(401);
    });

    it('KEY-2: an upload over the limit is refused with 413 body_too_large', async () => {
      const r = await upload({ pkcs12: 'A'.repeat(70_000), password: 'x' });
      expect(r.status).toBe(413);
      expect(r.json).toEqual({ error: 'invalid_request', error_description: 'The request body is too large' });
    });
  });
});

describe('KEY-2 upload transport', () => {
  it('AUTH-2: POST /keys/import over plain HTTP on a non-loopback address is refused (insecure_transport)', async () => {
    const t = await startApp({ config: { http: { host: '0.0.0.0' } } });
    try {
      const r = await t.post('/keys/import', { pkcs12: 'AAAA', password: 'x' }, t.token);
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ error: 'access_denied', error_description: 'Keys are uploaded over TLS only' });
    } finally {
      await t.close();
    }
  });

  it('AUTH-2: likewise on loopback in production mode', async () => {
    const t = await startApp({ config: { mode: 'production' } });
    try {
      const r = await t.post('/keys/import', { pkcs12: 'AAAA', password: 'x' }, t.token);
      expect(r.status).toBe(403);
    } finally {
      await t.close();
    }
  });
});

describe('KEY-2 from the command line', () => {
  it('KEY-2 CLI-1: import a PKCS#12, transfer a wrapped key, revoke with --destroy-key; each logged with the operator and the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shomei-lifecycle-cli-'));
    const dataDir = join(dir, 'data');
    const file = (name: string, data: string | Buffer) => {
      writeFileSync(join(dir, name), data);
      return join(dir, name);
    };
    const pemOf = (der: Buffer) => new X509Certificate(der).toString();
    try {
      const reg = await cli(dataDir, [
        'user',
        'register',
        '--username',
        'taro',
        '--name',
        'Taro Yamada',
        '--proofing-method',
        'in-person',
        '--officer',
        'RA officer',
        '--document-ref',
        'passport TEST',
        '--json',
      ]);
      expect(reg.code, reg.stderr).toBe(0);
      const own = makeSigner('ec');
      const imported = await cli(
        dataDir,
        [
          'credential',
          'import',
          '--user',
          'taro',
          '--pkcs12',
          file('own.p12', own.p12),
          '--password-env',
          'P12_PW',
        ].concat(['--reason', 'brought own key', '--json']),
        { env: { P12_PW: PASSWORD } },
      );
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.json.status).toBe('enabled');

      expect((await cli(dataDir, ['credential', 'transport-key', '--out', join(dir, 'transport.pem')])).code).toBe(0);
      const ca = makeSigner('rsa');
      const pkcs8Pem = `-----BEGIN PRIVATE KEY-----\n${ca.pkcs8.toString('base64')}\n-----END PRIVATE KEY-----\n`;
      const wrap = await cli(
        dataDir,
        ['credential', 'wrap', '--transport', join(dir, 'transport.pem')].concat([
          '--pkcs8',
          file('ca-key.pem', pkcs8Pem),
          '--out',
          join(dir, 'key.transfer'),
        ]),
      );
      expect(wrap.code, wrap.stderr).toBe(0);
      const chain = file('chain.pem', ca.chain.map(pemOf).join(''));
      const transferred = await cli(
        dataDir,
        ['credential', 'transfer', '--user', 'taro', '--wrapped', join(dir, 'key.transfer')].concat([
          '--chain',
          chain,
          '--reason',
          'handed over by the CA',
          '--json',
        ]),
      );
      expect(transferred.code, transferred.stderr).toBe(0);

      const revoked = await cli(
        dataDir,
        ['credential', 'revoke', imported.json.id, '--reason', 'keyCompromise'].concat([
          '--comment',
          'token lost',
          '--destroy-key',
          '--json',
        ]),
      );
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.json).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
      const noReason = await cli(dataDir, ['key', 'destroy', transferred.json.keyId]);
      expect(noReason.code).not.toBe(0);
      expect(noReason.stderr).toContain('--reason');

      const t = await startApp({ dataDir, demo: false });
      try {
        const events = await logEvents(t.app);
        const find = (type: string) => events.find((e) => e.type === type && e.outcome === 'success');
        expect(find('credential.import')).toMatchObject({
          actor: expect.stringMatching(/^admin:/),
          reason: 'brought own key',
        });
        expect(find('credential.transfer')).toMatchObject({
          reason: 'handed over by the CA',
          credentialID: transferred.json.id,
        });
        expect(find('credential.revoke')).toMatchObject({ reason: 'token lost', revocationReason: 'keyCompromise' });
        expect(find('key.destroy')).toMatchObject({ reason: 'token lost', keyId: imported.json.keyId });
        expect((await t.app.keys.get(imported.json.keyId)).status).toBe('destroyed');
      } finally {
        await t.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
