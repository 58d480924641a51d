/**
 * Signers for the format tests (FMT-1): a fresh key from the app's key service, a certificate from
 * the built-in CA, and `sign(digest)` through signDigests — the path signHash takes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../src/app.js';
import type { CaAuthority } from '../src/ca/index.js';
import type { SignerIdentity, TimestampSource } from '../src/formats/ports.js';
import { HASHES, type HashName, type KeyType, resolveSignature } from '../src/keys/index.js';
import { certPem } from './keys-openssl.js';

export interface TestSigner {
  readonly signer: SignerIdentity;
  readonly root: Buffer;
  readonly keyId: string;
  sign(digest: Uint8Array): Promise<Uint8Array>;
}

export const SIGNING_TIME = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

export async function testSigner(
  app: App,
  keyType: KeyType,
  signAlgo: string,
  opts: { hash?: HashName; profile?: 'signing' | 'tsa'; cn?: string } = {},
): Promise<TestSigner> {
  const hash = opts.hash ?? 'SHA-256';
  const [root, issuing] = (await app.ca.authorities()) as [CaAuthority, CaAuthority];
  const key = await app.keys.generate(keyType, 'signing');
  const cert = await app.ca.issue({
    keyId: key.id,
    subjectDn: `CN=${opts.cn ?? `Format test ${keyType}`},C=JP`,
    profile: opts.profile ?? 'signing',
    validityDays: 30,
  });
  const resolved = resolveSignature({ keyType, signAlgo, hashAlgorithmOID: HASHES[hash].oid });
  return {
    signer: { chain: [cert, issuing.certificate, root.certificate], hash, signAlgo, signingTime: SIGNING_TIME },
    root: root.certificate,
    keyId: key.id,
    async sign(digest) {
      const [sig] = await app.keys.signDigests(key.id, resolved, [digest]);
      if (!sig) throw new Error('no signature');
      return sig;
    },
  };
}

/**
 * A test-only RFC 3161 TSA run by `openssl ts -reply` (an independent implementation), with a key
 * openssl made and a certificate from the built-in CA's `tsa` profile — so its chain has OCSP/CRL
 * pointers like any other. Used until / unless the service's own TSA is wired.
 */
export async function opensslTsa(app: App): Promise<TimestampSource & { certificate: Buffer; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-tsa-'));
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr}`);
  };
  run(
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tsa.key'].concat([
      '-subj',
      '/CN=Test TSA/C=JP',
      '-outform',
      'DER',
      '-out',
      'tsa.csr',
    ]),
  );
  const certificate = await app.ca.issueFromCsr(
    { csr: readFileSync(join(dir, 'tsa.csr')), profile: 'tsa', validityDays: 30 },
    'admin:test',
  );
  const [, issuing] = (await app.ca.authorities()) as [CaAuthority, CaAuthority];
  writeFileSync(join(dir, 'tsa.pem'), certPem(certificate));
  writeFileSync(join(dir, 'chain.pem'), certPem(issuing.certificate));
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'ts.cnf'),
    [
      '[ tsa ]',
      'default_tsa = t',
      '[ t ]',
      'serial = ./serial',
      'signer_digest = sha256',
      'default_policy = 1.2.392.1.1',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  let n = 0;
  return {
    certificate,
    remove: () => rmSync(dir, { recursive: true, force: true }),
    async timestamp(digest, hash) {
      const q = `q${++n}.tsq`;
      const tok = `t${n}.der`;
      const alg = `-${HASHES[hash].node}`;
      run(['ts', '-query', '-digest', Buffer.from(digest).toString('hex'), alg, '-cert', '-no_nonce', '-out', q]);
      run(
        ['ts', '-reply', '-config', 'ts.cnf', '-queryfile', q, '-signer', 'tsa.pem', '-inkey', 'tsa.key'].concat([
          '-chain',
          'chain.pem',
          '-token_out',
          '-out',
          tok,
        ]),
      );
      return readFileSync(join(dir, tok));
    },
  };
}
