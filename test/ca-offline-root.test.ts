/**
 * CA-1: the root kept offline. Its key leaves the store sealed under a passphrase with a long root
 * CRL; the service keeps issuing from the issuing CA; the root signs again only in a ceremony,
 * after which its key is out of the store again. On SQLite and PostgreSQL.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrls, createLocalCa, ISSUING_ID, ROOT_ID, rootCeremony, takeRootOffline } from '../src/ca/index.js';
import { certPem, crlText, openssl, verifyWithCrls } from './keys-openssl.js';
import { ACTOR, startAppOn, type TestApp } from './support/app.js';
import { backends } from './support/stores.js';

const PASS = 'root ceremony passphrase 42';

describe.each(await backends())('CA-1: offline root on $name', (backend) => {
  let t: TestApp;
  let sealed: string;
  beforeAll(async () => {
    t = await startAppOn(backend);
  });
  afterAll(async () => {
    await t?.close();
  });
  const deps = () => ({ ...t.app, random: t.app.platform.random });
  const rootCrl = async () => (await t.app.http.inject({ method: 'GET', url: `/crl/${ROOT_ID}.crl` })).rawPayload;

  it('CA-1: root-offline seals the key, signs a 180-day root CRL and removes the key from the store; issuance goes on', async () => {
    const rootKey = (await t.app.ca.ensure()).keyId;
    const r = await takeRootOffline(deps(), PASS, 180, ACTOR);
    sealed = r.sealed;
    expect(JSON.parse(sealed).format).toBe('shomei-passphrase-backup/v1');
    expect(sealed).not.toContain('PRIVATE');
    expect((await t.app.keys.get(rootKey)).status).toBe('destroyed');
    const root = (await t.app.ca.authorities()).find((a) => a.id === ROOT_ID);
    expect(root?.status).toBe('offline');
    expect(r.crl.nextUpdate - r.crl.thisUpdate).toBe(180 * 86_400_000);
    expect(crlText(await rootCrl())).toMatch(/Next Update: .+ 20\d\d GMT/);
    // The running service cannot use the root: no CRL outside a ceremony.
    await expect(t.app.crls.issue(ROOT_ID)).rejects.toMatchObject({ code: 'invalid_state' });
    // The issuing CA goes on, and a fresh certificate verifies with both CRLs.
    const key = await t.app.keys.generate('EC-P256', 'test');
    const ee = await t.app.ca.issue({
      keyId: key.id,
      subjectDn: 'CN=after offline',
      profile: 'signing',
      validityDays: 30,
    });
    const [r0, i0] = await t.app.ca.authorities();
    const issuingCrl = (await t.app.http.inject({ method: 'GET', url: `/crl/${ISSUING_ID}.crl` })).rawPayload;
    const v = verifyWithCrls({
      root: r0!.certificate,
      issuing: i0!.certificate,
      ee,
      crls: [await rootCrl(), issuingCrl],
    });
    expect(v.ok, v.out).toBe(true);
  });

  it('CA-1: a ceremony with the wrong passphrase does nothing; with the right one it signs the next root CRL, listing what was revoked meanwhile, and the key leaves again', async () => {
    await expect(rootCeremony(deps(), sealed, 'not the passphrase at all', 180, ACTOR)).rejects.toMatchObject({
      code: 'backup_invalid',
    });
    const before = crlText(await rootCrl());
    // The issuing CA's own certificate is revoked while the root is offline: the root CRL waits.
    const issuing = await t.app.ca.issuing();
    const serial = openssl({ 'c.der': issuing.certificate }, [
      'x509',
      '-inform',
      'DER',
      '-in',
      '{c.der}',
      '-noout',
      '-serial',
    ])
      .out.trim()
      .replace(/^serial=/, '')
      .toLowerCase();
    await t.app.ca.revoke(ROOT_ID, serial, 'superseded', ACTOR);
    expect(crlText(await rootCrl())).toBe(before);
    const crl = await rootCeremony(deps(), sealed, PASS, 90, ACTOR);
    const after = crlText(await rootCrl());
    expect(after).toContain('Superseded');
    expect(after.toLowerCase()).toContain(serial.replace(/^0+/, ''));
    expect(crl.nextUpdate - crl.thisUpdate).toBe(90 * 86_400_000);
    const roots = (await t.app.keys.find({ purpose: 'ca-root' })).filter((k) => k.status === 'active');
    expect(roots).toEqual([]);
  });
});

describe('CA-1: a root taken offline by another process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startAppOn((await backends())[0] as Parameters<typeof startAppOn>[0]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('CA-1: the running service serves the ceremony CRL at once and never tries to sign with the removed root key', async () => {
    await t.app.ca.issuing();
    await t.app.crls.issue(ROOT_ID);
    // As `shomei ca root-offline` does in its own process: its own CA objects over the same database.
    const other = createLocalCa({ ...t.app, ...t.app.platform, publicUrl: t.app.baseUrl });
    const otherCrls = createCrls({ ...t.app, clock: t.app.platform.clock, ca: other });
    const r = await takeRootOffline(
      { ...t.app, ca: other, crls: otherCrls, random: t.app.platform.random },
      PASS,
      180,
      ACTOR,
    );
    const served = await t.app.http.inject({ method: 'GET', url: `/crl/${ROOT_ID}.crl` });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(r.crl.der)).toBe(true);
    await t.app.crls.refreshAll();
    const [root, issuing] = await t.app.ca.authorities();
    expect(root?.status).toBe('offline');
    // OCSP about the issuing CA's own certificate: the offline root cannot sign now, so the answer
    // is `unauthorized` (RFC 6960 §2.3), never internalError; the root CRL answers instead.
    const dir = mkdtempSync(join(tmpdir(), 'shomei-ocsp-'));
    writeFileSync(join(dir, 'root.pem'), certPem(root?.certificate as Buffer));
    writeFileSync(join(dir, 'ca.pem'), certPem(issuing?.certificate as Buffer));
    execFileSync('openssl', ['ocsp', '-issuer', 'root.pem', '-cert', 'ca.pem', '-no_nonce', '-reqout', 'req.der'], {
      cwd: dir,
    });
    const req = readFileSync(join(dir, 'req.der'));
    rmSync(dir, { recursive: true, force: true });
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/ocsp',
      headers: { 'content-type': 'application/ocsp-request' },
      payload: req,
    });
    expect(res.statusCode).toBe(200);
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED unauthorized(6) } — no responseBytes.
    expect(res.rawPayload.toString('hex')).toBe('30030a0106');
  });
});
