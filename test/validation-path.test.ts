/**
 * VERIFY (issue 8): RFC 5280 §6 path validation on a PKI made by OpenSSL (the independent
 * oracle): ECDSA P-384 root → RSA intermediate → Ed25519 / P-521 / P-256 leaves signed with
 * RSA-PSS and PKCS#1, CRLs from `openssl ca -gencrl`, OCSP responses from `openssl ocsp`.
 * Every verdict on a good/revoked chain is also asked of `openssl verify` / `openssl ocsp`.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PathInput, validatePath } from '../src/validation/path/index.js';

const CNF = `[ req ]
distinguished_name = dn
[ dn ]
[ ca ]
default_ca = CA_inter
[ CA_inter ]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha256
default_crl_days = 7
policy = pol
unique_subject = no
copy_extensions = none
[ CA_root ]
dir = .
database = index-root.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber-root
default_md = sha384
default_crl_days = 7
policy = pol
[ pol ]
commonName = supplied
[ v3_root ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_leaf ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.example/inter.crl
authorityInfoAccess = OCSP;URI:http://ocsp.example/
[ v3_tsa ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
[ v3_ocsp ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
[ v3_plain ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
`;

const SCRIPT = `set -e
touch index.txt index-root.txt; echo 1000 > serial; echo 01 > crlnumber; echo 01 > crlnumber-root
o() { openssl "$@" 2>/dev/null; }
o req -x509 -config ca.cnf -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout root.key -out root.pem -subj "/CN=Test Root" -days 30 -extensions v3_root -sha384
o req -new -config ca.cnf -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr -subj "/CN=Test Intermediate"
o ca -batch -config ca.cnf -name CA_root -cert root.pem -keyfile root.key -in inter.csr -out inter.pem -extensions v3_inter -days 20 -notext
leaf() { o req -new -config ca.cnf -newkey "$2" $3 -nodes -keyout $1.key -out $1.csr -subj "/CN=$1"
  o ca -batch -config ca.cnf -cert inter.pem -keyfile inter.key -in $1.csr -out $1.pem -extensions $4 -days 10 -notext $5; }
leaf leafA ed25519 "" v3_leaf "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32"
leaf leafB ec "-pkeyopt ec_paramgen_curve:P-521" v3_leaf ""
leaf tsa ec "-pkeyopt ec_paramgen_curve:P-256" v3_tsa ""
leaf ocsp ec "-pkeyopt ec_paramgen_curve:P-256" v3_ocsp ""
leaf plain ec "-pkeyopt ec_paramgen_curve:P-256" v3_plain ""
o ca -config ca.cnf -cert inter.pem -keyfile inter.key -revoke leafB.pem -crl_reason keyCompromise
o ca -config ca.cnf -cert inter.pem -keyfile inter.key -gencrl -out inter.crl.pem
o ca -config ca.cnf -name CA_root -cert root.pem -keyfile root.key -gencrl -out root.crl.pem
for f in inter root; do o crl -in $f.crl.pem -outform der -out $f.crl; done
for l in leafA leafB; do o ocsp -issuer inter.pem -cert $l.pem -no_nonce -reqout $l.req
  o ocsp -index index.txt -CA inter.pem -rsigner ocsp.pem -rkey ocsp.key -reqin $l.req -respout $l.ocsp -ndays 7
  o ocsp -index index.txt -CA inter.pem -rsigner plain.pem -rkey plain.key -reqin $l.req -respout $l.noeku.ocsp -ndays 7; done
`;

let dir = '';
const der = (name: string) => {
  const pem = readFileSync(join(dir, name), 'utf8');
  return new Uint8Array(new X509Certificate(pem).raw);
};
const file = (name: string) => new Uint8Array(readFileSync(join(dir, name)));
const sh = (cmd: string) => spawnSync('bash', ['-c', cmd], { cwd: dir, encoding: 'utf8' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shomei-path-'));
  writeFileSync(join(dir, 'ca.cnf'), CNF);
  const r = sh(SCRIPT);
  if (r.status !== 0) throw new Error(`openssl fixture failed: ${r.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = () => new Date(Date.now() + 60_000);
const base = (target: string, extra: Partial<PathInput> = {}): PathInput => ({
  target: der(`${target}.pem`),
  intermediates: [der('inter.pem')],
  anchors: [der('root.pem')],
  at: at(),
  ...extra,
});
const crls = () => [file('inter.crl'), file('root.crl')];
const opensslVerify = (leaf: string, crl: boolean) =>
  sh(
    `openssl verify -CAfile root.pem -untrusted inter.pem ${crl ? '-crl_check_all -CRLfile inter.crl.pem -CRLfile root.crl.pem' : ''} ${leaf}.pem`,
  );

describe('VERIFY path validation (RFC 5280 §6)', () => {
  it('VERIFY: builds target → RSA-PSS-signed Ed25519 leaf → RSA intermediate → P-384 root, as openssl verify does', async () => {
    const junk = [new Uint8Array([0x30, 0x03, 0x02, 0x01]), der('inter.pem'), der('tsa.pem'), new Uint8Array(10)];
    const r = await validatePath(base('leafA', { intermediates: junk }));
    expect(r.indication).toBe('PASSED');
    expect(r.chain.map((c) => Buffer.from(c).toString('hex'))).toEqual(
      [der('leafA.pem'), der('inter.pem'), der('root.pem')].map((c) => Buffer.from(c).toString('hex')),
    );
    expect(r.revocation.every((s) => s.source === 'none' && s.reason === 'revocation not checked')).toBe(true);
    expect(opensslVerify('leafA', false).stdout).toContain('leafA.pem: OK');
  });

  it('VERIFY §6.3: CRLs from openssl ca: good leaf PASSED, revoked leaf FAILED/REVOKED, like openssl verify -crl_check_all', async () => {
    const good = await validatePath(base('leafA', { revocation: { crls: crls(), ocsp: [], mode: 'require' } }));
    expect(good.indication).toBe('PASSED');
    expect(good.revocation.map((s) => [s.cert, s.source, s.status])).toEqual([
      [0, 'crl', 'good'],
      [1, 'crl', 'good'],
    ]);
    expect(opensslVerify('leafA', true).stdout).toContain('OK');
    const bad = await validatePath(base('leafB', { revocation: { crls: crls(), ocsp: [], mode: 'require' } }));
    expect([bad.indication, bad.subIndication]).toEqual(['FAILED', 'REVOKED']);
    expect(bad.revocation[0]).toMatchObject({ source: 'crl', status: 'revoked', reason: 'keyCompromise' });
    expect(opensslVerify('leafB', true).stdout + opensslVerify('leafB', true).stderr).toContain('certificate revoked');
  });

  it('VERIFY RFC 6960: OCSP from a delegated responder (id-kp-OCSPSigning) gives good/revoked, as openssl ocsp reads it', async () => {
    const ocsp = (l: string) => ({ crls: [file('root.crl')], ocsp: [file(`${l}.ocsp`)], mode: 'require' as const });
    const good = await validatePath(base('leafA', { revocation: ocsp('leafA') }));
    expect(good.indication).toBe('PASSED');
    expect(good.revocation[0]).toMatchObject({ source: 'ocsp', status: 'good' });
    expect(good.revocation[0]?.producedAt).toBeInstanceOf(Date);
    const bad = await validatePath(base('leafB', { revocation: ocsp('leafB') }));
    expect([bad.indication, bad.subIndication, bad.revocation[0]?.source]).toEqual(['FAILED', 'REVOKED', 'ocsp']);
    const oracle = sh(
      'openssl ocsp -respin leafB.ocsp -CAfile root.pem -VAfile ocsp.pem -issuer inter.pem -cert leafB.pem -no_nonce',
    );
    expect(oracle.stdout).toContain('leafB.pem: revoked');
  });

  it('VERIFY RFC 6960 §4.2.2.2: a responder without id-kp-OCSPSigning is not trusted (require → INDETERMINATE)', async () => {
    const r = await validatePath(
      base('leafB', { revocation: { crls: [file('root.crl')], ocsp: [file('leafB.noeku.ocsp')], mode: 'require' } }),
    );
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    const oracle = sh(
      'openssl ocsp -respin leafB.noeku.ocsp -CAfile root.pem -issuer inter.pem -cert leafB.pem -no_nonce',
    );
    expect(oracle.stdout + oracle.stderr).toMatch(/verify error|Verify error|Response Verify Failure/);
  });

  it('VERIFY: missing revocation data is INDETERMINATE in require mode, a note in prefer mode', async () => {
    const req = await validatePath(base('leafA', { revocation: { crls: [], ocsp: [], mode: 'require' } }));
    expect([req.indication, req.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(req.reason).toContain('CN=leafA');
    const pref = await validatePath(base('leafA', { revocation: { crls: [], ocsp: [], mode: 'prefer' } }));
    expect(pref.indication).toBe('PASSED');
    expect(pref.revocation[0]).toMatchObject({ source: 'none', status: 'unknown' });
  });

  it('VERIFY: the fetcher is asked for the CRL DP / OCSP URLs and its CRL is used', async () => {
    const asked: string[] = [];
    const r = await validatePath(
      base('leafB', {
        revocation: {
          crls: [file('root.crl')],
          ocsp: [],
          mode: 'require',
          fetch: async (urls) => {
            asked.push(...urls.crl, ...urls.ocsp);
            return { crls: [file('inter.crl')], ocsp: [] };
          },
        },
      }),
    );
    expect(asked).toEqual(['http://crl.example/inter.crl', 'http://ocsp.example/']);
    expect(r.subIndication).toBe('REVOKED');
  });

  it('VERIFY: in prefer mode the fetcher is asked for every unknown certificate; a throwing fetcher is "nothing found"', async () => {
    const asked: string[] = [];
    const ok = await validatePath(
      base('leafA', {
        revocation: {
          crls: [],
          ocsp: [],
          mode: 'prefer',
          fetch: async (urls, certDer) => {
            asked.push(new X509Certificate(Buffer.from(certDer)).subject + (urls.crl[0] ?? ''));
            return { crls: crls(), ocsp: [] };
          },
        },
      }),
    );
    expect(asked).toEqual(['CN=leafAhttp://crl.example/inter.crl', 'CN=Test Intermediate']);
    expect(ok.revocation.map((s) => s.status)).toEqual(['good', 'good']);
    const broken = await validatePath(
      base('leafA', {
        revocation: {
          crls: [],
          ocsp: [],
          mode: 'require',
          fetch: async () => {
            throw new Error('network down');
          },
        },
      }),
    );
    expect([broken.indication, broken.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
  });

  it('VERIFY §6.3.3 (a): a CRL past its nextUpdate is not used', async () => {
    const later = new Date(Date.now() + 8 * 86_400_000);
    const r = await validatePath(base('leafA', { at: later, revocation: { crls: crls(), ocsp: [], mode: 'require' } }));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'TRY_LATER']);
    expect(r.reason).toContain('stale');
  });

  it('VERIFY: validity is checked at the given time (EXPIRED / NOT_YET_VALID)', async () => {
    const expired = await validatePath(base('leafA', { at: new Date(Date.now() + 15 * 86_400_000) }));
    expect([expired.indication, expired.subIndication]).toEqual(['INDETERMINATE', 'EXPIRED']);
    const early = await validatePath(base('leafA', { at: new Date(Date.now() - 86_400_000) }));
    expect([early.indication, early.subIndication]).toEqual(['FAILED', 'NOT_YET_VALID']);
  });

  it('VERIFY: requiredEku (id-kp-timeStamping for a TSA) is enforced on the target', async () => {
    const TS = '1.3.6.1.5.5.7.3.8';
    expect((await validatePath(base('tsa', { requiredEku: TS }))).indication).toBe('PASSED');
    const r = await validatePath(base('leafA', { requiredEku: TS }));
    expect([r.indication, r.subIndication]).toEqual(['FAILED', 'CHAIN_CONSTRAINTS_FAILURE']);
  });

  it('VERIFY: no path to an anchor is INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND', async () => {
    const r = await validatePath(base('leafA', { intermediates: [] }));
    expect([r.indication, r.subIndication]).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
    expect(sh('openssl verify -CAfile root.pem leafA.pem').status).not.toBe(0);
  });

  it('VERIFY: never throws on garbage: junk target, junk pools, and 300 mutated certificates', async () => {
    const junk = await validatePath({ target: new Uint8Array([1, 2, 3]), intermediates: [], anchors: [], at: at() });
    expect([junk.indication, junk.subIndication]).toEqual(['FAILED', 'FORMAT_FAILURE']);
    const leaf = der('leafA.pem');
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const verdicts = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const m = Uint8Array.from(leaf);
      for (let k = 0; k < 1 + (i % 4); k++) {
        const pos = rand() % m.length;
        m[pos] = (m[pos] ?? 0) ^ (1 + (rand() % 255));
      }
      const r = await validatePath({
        target: m,
        intermediates: [m, der('inter.pem')],
        anchors: [der('root.pem')],
        at: at(),
      });
      verdicts.add(r.indication);
    }
    expect(verdicts.has('PASSED')).toBe(false);
    expect(verdicts.size).toBeGreaterThan(0);
  });

  it('VERIFY: bounded work on a pool of 48 look-alike intermediates (same name, no valid signature)', async () => {
    const inter = der('inter.pem');
    const pool = Array.from({ length: 48 }, (_, i) => {
      const m = Uint8Array.from(inter);
      const pos = m.length - 1 - (i % 40);
      m[pos] = (m[pos] ?? 0) ^ (1 + i); // break the signature, keep the structure
      return m;
    });
    const t0 = performance.now();
    const r = await validatePath(base('leafA', { intermediates: [...pool, inter] }));
    expect(r.indication).toBe('PASSED');
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
