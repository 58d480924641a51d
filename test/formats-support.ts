/**
 * Shared helpers for the signature-format and TSA tests (FMT-1, TSA-1), one copy each: signers whose
 * `sign(digest)` goes through signDigests (the path signHash takes), a scratch directory for the
 * independent tools, a test-only RFC 3161 TSA that is `openssl ts -reply`, the service's own
 * revocation collector over the app in-process, and the openssl verifications every format uses.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { App } from '../src/app.js';
import type { CaAuthority } from '../src/ca/index.js';
import { createRevocationSource, injectFetch } from '../src/formats/ltv/index.js';
import type { RevocationSource, SignerIdentity, TimestampSource } from '../src/formats/ports.js';
import { HASHES, type HashName, type KeyType, resolveSignature } from '../src/keys/index.js';
import { certPem, type OpensslResult, openssl } from './keys-openssl.js';
import { ACTOR, type TestApp } from './support/app.js';

export const SIGNING_TIME = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

export interface TestSigner {
  readonly signer: SignerIdentity;
  readonly root: Buffer;
  readonly keyId: string;
  sign(digest: Uint8Array): Promise<Uint8Array>;
}

interface SignerOptions {
  readonly hash?: HashName;
  readonly signingTime?: Date;
}

async function signerOf(app: App, keyId: string, chain: readonly Buffer[], signAlgo: string, o: SignerOptions) {
  const hash = o.hash ?? 'SHA-256';
  const { keyType } = await app.keys.get(keyId);
  const resolved = resolveSignature({ keyType, signAlgo, hashAlgorithmOID: HASHES[hash].oid });
  const [root] = (await app.ca.authorities()) as [CaAuthority];
  return {
    signer: { chain, hash, signAlgo, signingTime: o.signingTime ?? SIGNING_TIME },
    root: root.certificate,
    keyId,
    async sign(digest: Uint8Array) {
      const [sig] = await app.keys.signDigests(keyId, resolved, [digest]);
      if (!sig) throw new Error('no signature');
      return sig;
    },
  } satisfies TestSigner;
}

/** A fresh key of the app's key service with a `signing` certificate of the built-in CA. */
export async function testSigner(
  app: App,
  keyType: KeyType,
  signAlgo: string,
  opts: SignerOptions = {},
): Promise<TestSigner> {
  const [root, issuing] = (await app.ca.authorities()) as [CaAuthority, CaAuthority];
  const key = await app.keys.generate(keyType, 'signing');
  const subjectDn = `CN=Format test ${keyType},C=JP`;
  const cert = await app.ca.issue({ keyId: key.id, subjectDn, profile: 'signing', validityDays: 30 });
  return signerOf(app, key.id, [cert, issuing.certificate, root.certificate], signAlgo, opts);
}

/** One of the demo signer's credentials (CN "Demo Signer"), as startApp() enrolled it. */
export async function demoSigner(
  t: TestApp,
  cred: keyof TestApp['demo']['credentials'],
  signAlgo: string,
  opts: SignerOptions = {},
): Promise<TestSigner> {
  const { keyId } = await t.app.users.getCredential(t.demo.credentials[cred]);
  const chain = (await t.app.keys.certificate(keyId))?.chain;
  if (!chain) throw new Error(`the demo credential ${cred} has no certificate`);
  return signerOf(t.app, keyId, chain, signAlgo, opts);
}

export interface RunResult extends OpensslResult {
  readonly status: number | null;
}

/** A scratch directory for the independent tools (openssl, xmlsec1, qpdf, pdfsig). */
export interface Workdir {
  readonly dir: string;
  /** Writes `name` in the directory; returns its path. */
  write(name: string, data: string | Uint8Array): string;
  /** Writes under a fresh numbered name, so no later write replaces a file still in use; returns its path. */
  file(name: string, data: string | Uint8Array): string;
  /** A file of the directory, by name or by the path write/file gave. */
  read(name: string): Buffer;
  /** A command run in the directory: exit status and text output. */
  run(cmd: string, args: readonly string[]): RunResult;
  openssl(args: readonly string[]): RunResult;
  /** openssl's standard output as bytes (e.g. a DER query written to stdout); throws on failure. */
  opensslBytes(args: readonly string[]): Buffer;
  remove(): void;
}

export function workdir(prefix = 'shomei-test-'): Workdir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let n = 0;
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };
  const run = (cmd: string, args: readonly string[]) => {
    const r = spawnSync(cmd, [...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { ok: r.status === 0, status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  return {
    dir,
    write,
    file: (name, data) => write(`${++n}-${name}`, data),
    read: (name) => readFileSync(resolve(dir, name)),
    run,
    openssl: (args) => run('openssl', args),
    opensslBytes(args) {
      const r = spawnSync('openssl', [...args], { cwd: dir });
      if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr.toString()}`);
      return r.stdout;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TestTsa extends TimestampSource {
  /** [TSA certificate, issuing CA, root] as DER. */
  readonly chain: readonly Buffer[];
  remove(): void;
}

const TS_CONFIG = (serial: string) => `[ tsa ]
default_tsa = t
[ t ]
serial = ${serial}
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

/**
 * A test-only RFC 3161 TSA run by `openssl ts -reply` (an implementation independent of ours), with
 * a P-256 key and a certificate from the built-in CA's `tsa` profile — so its chain has OCSP/CRL
 * pointers like any other. Tokens carry the TSA certificate and the issuing CA.
 */
export async function testTsa(app: App, opts: { subjectDn?: string } = {}): Promise<TestTsa> {
  const w = workdir('shomei-test-tsa-');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const subjectDn = opts.subjectDn ?? 'CN=Test TSA,O=shomei test,C=JP';
  const [cert] = await app.ca.issueMany([{ spki, subjectDn, profile: 'tsa', validityDays: 30 }], ACTOR);
  const [root, issuing] = (await app.ca.authorities()) as [CaAuthority, CaAuthority];
  w.write('tsa.key', privateKey.export({ type: 'pkcs8', format: 'pem' }));
  w.write('tsa.pem', certPem(cert as Buffer));
  w.write('chain.pem', certPem(issuing.certificate));
  w.write('ts.cnf', TS_CONFIG(w.write('serial', '01\n')));
  const must = (args: string[]) => {
    const r = w.openssl(args);
    if (!r.ok) throw new Error(`openssl ${args.slice(0, 2).join(' ')}: ${r.out}`);
  };
  const signerArgs = ['-signer', 'tsa.pem', '-inkey', 'tsa.key', '-chain', 'chain.pem'];
  let n = 0;
  return {
    chain: [cert as Buffer, issuing.certificate, root.certificate],
    async timestamp(digest, hash) {
      const [q, tok] = [`q${++n}.tsq`, `t${n}.der`];
      const hex = Buffer.from(digest).toString('hex');
      must(['ts', '-query', '-digest', hex, `-${HASHES[hash].node}`, '-cert', '-no_nonce', '-out', q]);
      must(['ts', '-reply', '-config', 'ts.cnf', '-queryfile', q, ...signerArgs, '-token_out', '-out', tok]);
      return w.read(tok);
    },
    remove: w.remove,
  };
}

/** The service's own revocation collector (src/formats/ltv), fetching OCSP and CRLs from the app in-process. */
export function appRevocation(app: App): RevocationSource {
  return createRevocationSource({ fetch: injectFetch((o) => app.http.inject(o)), clock: app.platform.clock });
}

/** `openssl cms -verify` against `root` only; `content` for a detached signature. */
export function cmsVerify(cms: Uint8Array, root: Uint8Array, content?: Uint8Array): OpensslResult {
  const files = { 'sig.der': cms, 'root.pem': certPem(root), ...(content ? { 'content.bin': content } : {}) };
  const detached = content ? ['-content', '{content.bin}'] : [];
  const args = ['-in', '{sig.der}', '-CAfile', '{root.pem}', '-purpose', 'any', ...detached, '-out', '/dev/null'];
  return openssl(files, ['cms', '-verify', '-binary', '-inform', 'DER', ...args]);
}

/**
 * `openssl ts -verify` of a token over exactly `data` (or a precomputed `digest`), chaining to
 * `root`; `untrusted` are the certificates between (when the token does not carry them all).
 */
export function tsVerify(
  token: Uint8Array,
  over: { data: string | Uint8Array } | { digest: Uint8Array },
  trust: { root: Uint8Array; untrusted?: readonly Uint8Array[] },
): OpensslResult {
  const untrusted = trust.untrusted?.length ? trust.untrusted.map(certPem).join('') : undefined;
  const files = {
    'tok.der': token,
    'root.pem': certPem(trust.root),
    ...('data' in over ? { 'data.bin': over.data } : {}),
    ...(untrusted ? { 'untrusted.pem': untrusted } : {}),
  };
  const input = 'data' in over ? ['-data', '{data.bin}'] : ['-digest', Buffer.from(over.digest).toString('hex')];
  const trusted = ['-CAfile', '{root.pem}', ...(untrusted ? ['-untrusted', '{untrusted.pem}'] : [])];
  return openssl(files, ['ts', '-verify', ...input, '-in', '{tok.der}', '-token_in', ...trusted]);
}

/** `openssl crl` of a DER CRL, its signature checked against these CA certificates ("verify OK"). */
export function crlVerify(crl: Uint8Array, cas: readonly Uint8Array[]): OpensslResult {
  const files = { 'c.der': crl, 'cas.pem': cas.map(certPem).join('') };
  return openssl(files, ['crl', '-inform', 'DER', '-in', '{c.der}', '-CAfile', '{cas.pem}', '-noout']);
}

/** `openssl ocsp -respin -resp_text` of a DER OCSP response: its text, with each "Cert Status". */
export const ocspText = (response: Uint8Array): string =>
  openssl({ 'r.der': response }, ['ocsp', '-respin', '{r.der}', '-resp_text', '-noverify']).out;
