/**
 * CLI-2 / FMT-1 `shomei sign`: the real CLI process signs files client-side against a listening
 * service (only digests leave it), and each output is checked by an independent tool — `pdfsig`
 * and `qpdf --check` (PAdES B-T, and B-LT with revocation data fetched over HTTP from the
 * certificates' AIA/CDP URLs), `openssl cms -verify -content` (CAdES detached), `xmlsec1 --verify`
 * (XAdES enveloped) — plus bad input that must fail in one line with no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaAuthority } from '../src/ca/index.js';
import { certPem } from './keys-openssl.js';
import { startApp, type TestApp } from './support/app.js';
import { cli } from './support/cli.js';

const TOOLS = ['pdfsig', 'qpdf', 'xmlsec1'].filter((t) => spawnSync(t, ['--version']).error === undefined);
if (TOOLS.length < 3 && process.env.CI) throw new Error('pdfsig, qpdf and xmlsec1 are required in CI');
const has = (tool: string) => {
  if (!TOOLS.includes(tool)) console.warn(`${tool} not installed: its check is skipped (outside CI only)`);
  return TOOLS.includes(tool);
};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
};

describe('CLI-2 shomei sign (client-side)', () => {
  let t: TestApp;
  let base: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const path = (name: string) => join(dir, name);
  const file = (name: string, data: Uint8Array | string) => {
    writeFileSync(path(name), data);
    return path(name);
  };
  const sign = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    cli(path('data'), ['sign', ...args, '--url', base, '--user', t.demo.username], { env: { ...env, ...extraEnv } });

  beforeAll(async () => {
    // The certificates' AIA/CDP URLs must point at this listening instance for B-LT over real HTTP.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await startApp({ config: { http: { publicUrl: base } } });
    await t.app.http.listen({ host: '127.0.0.1', port });
    dir = mkdtempSync(join(tmpdir(), 'shomei-cli-sign-'));
    env = { SHOMEI_PASSWORD: t.demo.password, SHOMEI_PIN: t.demo.pin };
    const root = ((await t.app.ca.authorities())[0] as CaAuthority).certificate;
    file('root.pem', certPem(root));
    file('root.der', root);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('FMT-1 sign a PDF PAdES B-T: pdfsig says valid, qpdf --check is clean, the original bytes are kept', async () => {
    const d = await PDFDocument.create();
    d.addPage().drawText('Agreement signed on the client');
    const pdf = Buffer.from(await d.save({ useObjectStreams: false }));
    const input = file('in.pdf', pdf);
    const out = path('out.pdf');
    const r = await sign([
      '--format',
      'pades',
      '--level',
      'B-T',
      input,
      '--credential',
      t.demo.credentials.p256,
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain(`PAdES B-T (Revision) → ${out} by CN=Demo Signer`);
    const signed = readFileSync(out);
    expect(signed.subarray(0, pdf.length).equals(pdf)).toBe(true);
    expect(signed.includes('/ETSI.CAdES.detached')).toBe(true);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    if (has('pdfsig')) {
      const v = run('pdfsig', [out]);
      expect(v.out).toContain('Signature is Valid');
    }
    if (has('qpdf')) expect(run('qpdf', ['--check', out]).ok).toBe(true);
    // B-T: the signature time-stamp from the service's /tsa sits in the CMS unsigned attributes.
    const contents = /\/Contents\s*<([0-9A-Fa-f]+)>/.exec(signed.toString('latin1'))?.[1] as string;
    const cms = Buffer.from(contents, 'hex');
    const printed = run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file('p.p7s', cms)]);
    expect(printed.out).toContain('id-smime-aa-timeStampToken');
  });

  it("FMT-1 sign a PDF PAdES B-LT: OCSP/CRLs fetched from the certificates' AIA/CDP URLs go into the DSS; pdfsig says valid", async () => {
    const d = await PDFDocument.create();
    d.addPage().drawText('Long-term');
    const input = file('lt.pdf', Buffer.from(await d.save({ useObjectStreams: false })));
    const out = path('lt.signed.pdf');
    const r = await sign([
      input,
      '--format',
      'pades',
      '--level',
      'B-LT',
      '--credential',
      t.demo.credentials.p256,
      '--out',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const signed = readFileSync(out);
    expect(signed.includes('/DSS')).toBe(true);
    expect(signed.includes('/OCSPs') || signed.includes('/CRLs')).toBe(true);
    if (has('pdfsig')) expect(run('pdfsig', [out]).out).toContain('Signature is Valid');
    if (has('qpdf')) expect(run('qpdf', ['--check', out]).ok).toBe(true);
  });

  it('FMT-1 sign a text file CAdES detached B-B (--json): openssl cms -verify -content accepts it', async () => {
    const text = file('note.txt', '契約書 — signed on the client\n');
    const out = path('note.p7s');
    const r = await sign([
      text,
      '--format',
      'cades',
      '--level',
      'B-B',
      '--envelope',
      'detached',
      '--credential',
      t.demo.credentials.p256,
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ format: 'CAdES', level: 'B-B', envelope: 'Detached', out });
    expect(r.json.subject).toContain('CN=Demo Signer');
    const v = run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      out,
      '-content',
      text,
      '-CAfile',
      path('root.pem'),
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]);
    expect(v.out).toContain('Verification successful');
  });

  it('FMT-1 sign XML XAdES enveloped with RSA: xmlsec1 --verify accepts it against the root', async () => {
    const xml = file(
      'inv.xml',
      '<?xml version="1.0" encoding="UTF-8"?>\n<invoice id="7"><total>1000</total></invoice>\n',
    );
    const out = path('inv.signed.xml');
    const r = await sign([
      '--format',
      'xades',
      '--envelope',
      'enveloped',
      xml,
      '--credential',
      t.demo.credentials.rsa2048,
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const signed = readFileSync(out, 'utf8');
    expect(signed).toContain('<total>1000</total>');
    expect(signed).toContain('SignedProperties');
    if (!has('xmlsec1')) return;
    const v = run('xmlsec1', [
      '--verify',
      '--trusted-der',
      path('root.der'),
      '--id-attr:Id',
      'http://uri.etsi.org/01903/v1.3.2#:SignedProperties',
      out,
    ]);
    expect(v.out).toContain('OK');
    expect(v.ok).toBe(true);
  });

  it('CLI-2 a wrong PIN fails cleanly: exit 1, one line naming invalid_pin, no stack, no output file', async () => {
    const out = path('never.p7s');
    const r = await sign(
      [file('w.txt', 'x'), '--format', 'cades', '--credential', t.demo.credentials.rsa2048, '--out', out],
      { SHOMEI_PIN: '000000' },
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^shomei: credentials\/authorize: HTTP 400 invalid_pin/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('000000');
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['missing.pdf', '--format', 'pades'], 'cannot read'],
    [['x.txt', '--format', 'odf'], 'unknown --format odf'],
    [['x.txt', '--format', 'cades', '--level', 'B-Z'], 'unknown --level B-Z'],
  ])('CLI-2 bad input %j fails in one line: %s', async (args, message) => {
    file('x.txt', 'x');
    const [name, ...rest] = args as [string, ...string[]];
    const r = await sign([path(name), ...rest, '--credential', t.demo.credentials.p256, '--out', path('bad.out')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path('bad.out'))).toBe(false);
  });
});
