/** The independent oracle for key and CA tests (STYLE.md 14): OpenSSL on temporary files. */
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslResult {
  readonly ok: boolean;
  readonly out: string;
}

/** Runs openssl with files written into a fresh directory; `{name}` in args is replaced by its path. */
export function openssl(files: Record<string, Uint8Array | string>, args: string[]): OpensslResult {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-openssl-'));
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const resolved = args.map((a) => a.replace(/\{(\w[\w.]*)\}/g, (_, n: string) => join(dir, n)));
    const r = spawnSync('openssl', resolved, { encoding: 'utf8' });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const spkiPem = (spki: Buffer): string =>
  createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }) as string;

export const certPem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;

/** `openssl pkeyutl -verify` of a signature over a raw digest. */
export function pkeyutlVerify(spki: Buffer, digest: Uint8Array, sig: Uint8Array, opts: string[]): OpensslResult {
  const pkeyopts = opts.flatMap((o) => ['-pkeyopt', o]);
  return openssl({ 'pub.pem': spkiPem(spki), digest, sig }, [
    'pkeyutl',
    '-verify',
    '-pubin',
    '-inkey',
    '{pub.pem}',
    '-sigfile',
    '{sig}',
    '-in',
    '{digest}',
    ...pkeyopts,
  ]);
}

/** A PKCS#10 request openssl makes for a fresh key it throws away (`-newkey` arguments, PEM or DER). */
export function opensslCsr(subject: string, opts: { newkey?: string[]; der?: boolean } = {}): Buffer {
  const newkey = opts.newkey ?? ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-new',
      '-newkey',
      ...newkey,
      '-nodes',
      '-keyout',
      '/dev/null',
      '-subj',
      subject,
      ...(opts.der ? ['-outform', 'DER'] : []),
    ],
    { encoding: 'buffer' },
  );
  if (r.status !== 0) throw new Error(`openssl req: ${r.stderr.toString()}`);
  return r.stdout;
}

export const crlPem = (der: Uint8Array): string =>
  `-----BEGIN X509 CRL-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END X509 CRL-----\n`;

/** `openssl crl -text` of a DER CRL. */
export const crlText = (der: Uint8Array): string =>
  openssl({ 'c.crl': der }, ['crl', '-inform', 'DER', '-in', '{c.crl}', '-noout', '-text']).out;

/** `openssl verify -crl_check_all` of an end-entity certificate under root → issuing CA, with these DER CRLs. */
export function verifyWithCrls(c: { root: Uint8Array; issuing: Uint8Array; ee: Uint8Array; crls: Uint8Array[] }) {
  return openssl(
    {
      'root.pem': certPem(c.root),
      'issuing.pem': certPem(c.issuing),
      'ee.pem': certPem(c.ee),
      'crls.pem': c.crls.map(crlPem).join(''),
    },
    [
      'verify',
      '-crl_check_all',
      '-CAfile',
      '{root.pem}',
      '-untrusted',
      '{issuing.pem}',
      '-CRLfile',
      '{crls.pem}',
      '{ee.pem}',
    ],
  );
}
