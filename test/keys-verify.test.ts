/**
 * verifySignature (src/keys/verify.ts; SIGN-4, KEY-2 proof of possession) beyond Wycheproof's
 * files: the curves and hashes they do not cover here (P-521, SHA-512), RSA-PSS-restricted keys,
 * odd modulus sizes, and agreement of the digest path with OpenSSL's signatures and ours.
 */
import { constants, createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HASHES, type HashName } from '../src/keys/algorithms.js';
import { ecScalar, signEcdsa } from '../src/keys/software/ec.js';
import { signPkcs1, signPss } from '../src/keys/software/rsa.js';
import { verifySignature } from '../src/keys/verify.js';

const spkiOf = (k: KeyObject) => k.export({ format: 'der', type: 'spki' });
const msg = Buffer.from('shomei proof of possession');
const digestOf = (hash: HashName) => createHash(HASHES[hash].node).update(msg).digest();

describe('verifySignature (SIGN-4)', () => {
  for (const [curve, named, hash] of [
    ['P-256', 'prime256v1', 'SHA-256'],
    ['P-384', 'secp384r1', 'SHA-384'],
    ['P-521', 'secp521r1', 'SHA-512'],
  ] as const) {
    it(`ECDSA ${curve} ${hash}: OpenSSL's and our signatures verify by message and by digest`, () => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: named });
      const spki = spkiOf(publicKey);
      const openssl = sign(HASHES[hash].node, msg, { key: privateKey, dsaEncoding: 'der' });
      const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
      const ours = signEcdsa(curve, ecScalar(pkcs8, curve), digestOf(hash));
      for (const signature of [openssl, ours]) {
        expect(verifySignature({ spki, scheme: 'ecdsa', hash, message: msg, signature })).toBe(true);
        expect(verifySignature({ spki, scheme: 'ecdsa', hash, digest: digestOf(hash), signature })).toBe(true);
      }
      const other = Buffer.from(digestOf(hash));
      other[0] = (other[0] ?? 0) ^ 1;
      expect(verifySignature({ spki, scheme: 'ecdsa', hash, digest: other, signature: ours })).toBe(false);
      expect(verifySignature({ spki, scheme: 'rsa-pkcs1', hash, digest: digestOf(hash), signature: ours })).toBe(false);
    });
  }

  it('RSA PKCS#1 v1.5 and PSS, SHA-512, a 2049-bit modulus (emLen < k): ours and OpenSSL agree', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2049 });
    const spki = spkiOf(publicKey);
    const hash = 'SHA-512';
    const d = digestOf(hash);
    const pss = signPss(privateKey, HASHES[hash], d, Buffer.alloc(64, 7));
    const pkcs1 = signPkcs1(privateKey, HASHES[hash], d);
    const opensslPss = sign('sha512', msg, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 64,
    });
    for (const [scheme, signature] of [
      ['rsa-pss', pss],
      ['rsa-pss', opensslPss],
      ['rsa-pkcs1', pkcs1],
    ] as const) {
      expect(verifySignature({ spki, scheme, hash, digest: d, signature }), scheme).toBe(true);
      expect(verifySignature({ spki, scheme, hash, message: msg, signature }), scheme).toBe(true);
      expect(verifySignature({ spki, scheme, hash: 'SHA-256', digest: digestOf('SHA-256'), signature })).toBe(false);
    }
    expect(verifySignature({ spki, scheme: 'rsa-pss', hash, digest: d, signature: pss, saltLength: 32 })).toBe(false);
    expect(verifySignature({ spki, scheme: 'rsa-pkcs1', hash, digest: d, signature: pss })).toBe(false);
    expect(verifySignature({ spki, scheme: 'rsa-pss', hash, digest: d, signature: pss.subarray(1) })).toBe(false);
  });

  it('an RSASSA-PSS-restricted key (id-RSASSA-PSS SPKI) verifies on both paths', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const spki = spkiOf(publicKey);
    const hash = 'SHA-256';
    const signature = sign('sha256', msg, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    });
    expect(verifySignature({ spki, scheme: 'rsa-pss', hash, message: msg, signature })).toBe(true);
    expect(verifySignature({ spki, scheme: 'rsa-pss', hash, digest: digestOf(hash), signature })).toBe(true);
  });

  it('a digest of the wrong length, neither message nor digest, or a digest that is not H(message): not verified', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const signature = sign('sha256', msg, { key: privateKey, dsaEncoding: 'der' });
    const spki = spkiOf(publicKey);
    expect(verifySignature({ spki, scheme: 'ecdsa', hash: 'SHA-256', digest: Buffer.alloc(31), signature })).toBe(
      false,
    );
    expect(verifySignature({ spki, scheme: 'ecdsa', hash: 'SHA-256', signature })).toBe(false);
    const both = { spki, scheme: 'ecdsa', hash: 'SHA-256', message: msg, signature } as const;
    expect(verifySignature({ ...both, digest: digestOf('SHA-256') })).toBe(true);
    expect(verifySignature({ ...both, digest: Buffer.alloc(32) })).toBe(false);
  });
});
