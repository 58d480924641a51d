/**
 * Wycheproof conformance (issue 4 item 2; SIGN-4, BACKUP-1, BACKUP-2): the vectors in
 * ../shared/conformance/wycheproof/testvectors_v1 run through OUR code — `verifySignature`
 * (src/keys/verify.ts, message and digest paths) and the AES-GCM / AES-KW / AES-KWP helpers the
 * backup formats use (src/backup/aead.ts). Every `valid` case must pass, every `invalid` one must
 * fail; `acceptable` cases may go either way and are reported.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { gcmOpen, gcmSeal, keyUnwrap, keyWrap } from '../src/backup/aead.js';
import { HASHES, type HashName } from '../src/keys/algorithms.js';
import { type VerifyScheme, verifySignature } from '../src/keys/verify.js';

/** The shared conformance data beside the project (or SHOMEI_CONFORMANCE_DIR); required in CI. */
const CONFORMANCE =
  process.env.SHOMEI_CONFORMANCE_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '../../shared/conformance');
const DIR = join(CONFORMANCE, 'wycheproof/testvectors_v1');
const present = existsSync(DIR);
if (!present) {
  const why = `Wycheproof vectors not found at ${DIR} (set SHOMEI_CONFORMANCE_DIR)`;
  if (process.env.CI) throw new Error(`required in CI: ${why}`);
  console.warn(`skipping the Wycheproof suites: ${why}`);
}

type Result = 'valid' | 'invalid' | 'acceptable';
interface Vector {
  readonly tcId: number;
  readonly comment: string;
  readonly result: Result;
  readonly [field: string]: unknown;
}
interface Group {
  readonly tests: readonly Vector[];
  readonly [field: string]: unknown;
}
interface VectorFile {
  readonly algorithm: string;
  readonly testGroups: readonly Group[];
}

const hex = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : '', 'hex');
const load = (file: string): VectorFile => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as VectorFile;

class Tally {
  readonly counts = { valid: 0, invalid: 0, acceptable: 0, acceptedAcceptable: 0, skipped: 0, checks: 0 };
  readonly failures: string[] = [];
  private readonly accepted = new Set<number>();

  /** One check of vector `v`; `ok` is whether our code accepted it (verified, decrypted, unwrapped). */
  record(v: Vector, ok: boolean, path = ''): void {
    this.counts.checks++;
    if (v.result === 'acceptable') {
      if (ok && !this.accepted.has(v.tcId)) this.counts.acceptedAcceptable++;
      if (ok) this.accepted.add(v.tcId);
    } else if (ok !== (v.result === 'valid')) this.failures.push(`tc ${v.tcId}${path} (${v.result}): ${v.comment}`);
  }

  line(name: string): string {
    const c = this.counts;
    const passed = c.valid + c.invalid;
    return (
      `${name}: ${passed} cases (${c.valid} valid, ${c.invalid} invalid) as expected in ${c.checks} checks, ` +
      `${this.failures.length} mismatches; acceptable ${c.acceptable} (accepted ${c.acceptedAcceptable}); skipped ${c.skipped}`
    );
  }
}

const summary: string[] = [];
afterAll(() => {
  if (summary.length > 0) console.log(`Wycheproof summary\n  ${summary.join('\n  ')}`);
});

/** `check` returns false when it skips a vector (parameters our formats do not use). */
function run(file: string, check: (g: Group, v: Vector, t: Tally) => boolean, label = file): Tally {
  const t = new Tally();
  for (const g of load(file).testGroups) {
    for (const v of g.tests) {
      if (check(g, v, t)) t.counts[v.result]++;
      else t.counts.skipped++;
    }
  }
  summary.push(t.line(label));
  return t;
}

const accepts = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!present)('Wycheproof AES (BACKUP-1, BACKUP-2: the backup formats’ primitives)', () => {
  it('AES-GCM, 96-bit IV and 128-bit tag (NIST SP 800-38D) through gcmOpen / gcmSeal', () => {
    const t = run('aes_gcm_test.json', (g, v, tally) => {
      if (g.ivSize !== 96 || g.tagSize !== 128) return false;
      const [key, iv, aad, msg, ct, tag] = [v.key, v.iv, v.aad, v.msg, v.ct, v.tag].map(hex) as Buffer[];
      const opened = accepts(() => {
        if (!gcmOpen(key!, iv!, aad!, ct!, tag!).equals(msg!)) throw new Error('wrong plaintext');
      });
      tally.record(v, opened);
      if (v.result === 'valid') {
        const sealed = gcmSeal(key!, iv!, aad!, msg!);
        tally.record(v, sealed.ct.equals(ct!) && sealed.tag.equals(tag!), ' seal');
      }
      return true;
    });
    expect(t.failures).toEqual([]);
    expect(t.counts.valid).toBeGreaterThan(0);
  });

  for (const [file, pad, name] of [
    ['aes_wrap_test.json', false, 'AES-KW (RFC 3394)'],
    ['aes_kwp_test.json', true, 'AES-KWP (RFC 5649)'],
  ] as const) {
    it(`${name} through keyWrap / keyUnwrap`, () => {
      const t = run(file, (_g, v, tally) => {
        const [key, msg, ct] = [v.key, v.msg, v.ct].map(hex) as Buffer[];
        tally.record(
          v,
          accepts(() => {
            if (!keyUnwrap(key!, ct!, pad).equals(msg!)) throw new Error('wrong key data');
          }),
        );
        if (v.result === 'valid') tally.record(v, keyWrap(key!, msg!, pad).equals(ct!), ' wrap');
        return true;
      });
      expect(t.failures).toEqual([]);
      expect(t.counts.valid).toBeGreaterThan(0);
    });
  }
});

const SIGNATURE_FILES: ReadonlyArray<readonly [string, VerifyScheme]> = present
  ? readdirSync(DIR)
      .filter((f) =>
        /^(ecdsa_secp(256|384|521)r1_sha(256|384|512)|rsa_signature_\d+_sha\d+|rsa_pss_\d+_sha\d+_mgf1_\d+)_test\.json$/.test(
          f,
        ),
      )
      .sort()
      .map((f) => [f, f.startsWith('ecdsa') ? 'ecdsa' : f.startsWith('rsa_pss') ? 'rsa-pss' : 'rsa-pkcs1'] as const)
  : [];

function checkSignature(scheme: VerifyScheme, g: Group, v: Vector, t: Tally): boolean {
  const hash = g.sha as HashName;
  const info = HASHES[hash];
  if (!info || (scheme === 'rsa-pss' && (g.mgf !== 'MGF1' || g.mgfSha !== hash))) return false;
  const base = {
    spki: hex(g.publicKeyDer),
    scheme,
    hash,
    signature: hex(v.sig),
    ...(scheme === 'rsa-pss' ? { saltLength: g.sLen as number } : {}),
  };
  const msg = hex(v.msg);
  t.record(v, verifySignature({ ...base, message: msg }), ' message');
  t.record(v, verifySignature({ ...base, digest: createHash(info.node).update(msg).digest() }), ' digest');
  return true;
}

describe.skipIf(!present)('Wycheproof signatures through verifySignature (SIGN-4, KEY-2 proof of possession)', () => {
  it('finds the ECDSA, RSA PKCS#1 v1.5 and PSS vector files', () => {
    expect(SIGNATURE_FILES.map(([, s]) => s)).toEqual(expect.arrayContaining(['ecdsa', 'rsa-pkcs1', 'rsa-pss']));
  });

  for (const [file, scheme] of SIGNATURE_FILES) {
    it(`${file}: every valid signature verifies and every invalid one is refused, by message and by digest`, () => {
      const t = run(file, (g, v, tally) => checkSignature(scheme, g, v, tally));
      expect(t.failures).toEqual([]);
      expect(t.counts.valid).toBeGreaterThan(0);
    });
  }
});

describe('verifySignature never throws (SIGN-4)', () => {
  it('returns false for garbage keys, signatures and parameters', () => {
    const junk = Buffer.from('not a key');
    for (const scheme of ['ecdsa', 'rsa-pkcs1', 'rsa-pss'] as const) {
      expect(verifySignature({ spki: junk, scheme, hash: 'SHA-256', digest: Buffer.alloc(32), signature: junk })).toBe(
        false,
      );
      expect(verifySignature({ spki: junk, scheme, hash: 'SHA-256', message: junk, signature: junk })).toBe(false);
    }
    expect(verifySignature({ spki: junk, scheme: 'ecdsa', hash: 'MD5' as HashName, signature: junk })).toBe(false);
  });
});
