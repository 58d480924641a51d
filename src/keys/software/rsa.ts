/**
 * RSA signatures over precomputed digests. node:crypto's sign() always hashes its input, which
 * would double-hash a CSC digest (csc-api-v2.md §9 pitfall 6), so we apply the RFC 8017 encodings
 * ourselves and use privateEncrypt for the RSASP1 primitive (RFC 8017 §5.2.1).
 */
import { constants, createHash, type KeyObject, privateEncrypt } from 'node:crypto';
import type { HashAlgorithm, HashName } from '../algorithms.js';

/** RFC 8017 §9.2 note 1: the DER prefix of DigestInfo for each hash. */
const DIGEST_INFO_PREFIX: Readonly<Record<HashName, Buffer>> = {
  'SHA-256': Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  'SHA-384': Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  'SHA-512': Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

export function digestInfo(hash: HashAlgorithm, digest: Uint8Array): Buffer {
  return Buffer.concat([DIGEST_INFO_PREFIX[hash.name], digest]);
}

/** RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.1): EMSA-PKCS1-v1_5 padding is what RSA_PKCS1_PADDING adds. */
export function signPkcs1(key: KeyObject, hash: HashAlgorithm, digest: Uint8Array): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, digest));
}

/** MGF1 (RFC 8017 §B.2.1). */
export function mgf1(hash: HashAlgorithm, seed: Uint8Array, maskLen: number): Buffer {
  const out = Buffer.alloc(Math.ceil(maskLen / hash.length) * hash.length);
  const counter = Buffer.alloc(4);
  for (let i = 0, off = 0; off < maskLen; i++, off += hash.length) {
    counter.writeUInt32BE(i);
    createHash(hash.node).update(seed).update(counter).digest().copy(out, off);
  }
  return out.subarray(0, maskLen);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) of an already computed mHash. */
export function emsaPssEncode(hash: HashAlgorithm, mHash: Uint8Array, emBits: number, salt: Uint8Array): Buffer {
  const hLen = hash.length;
  const emLen = Math.ceil(emBits / 8);
  if (mHash.length !== hLen) throw new Error('EMSA-PSS: digest length');
  if (emLen < hLen + salt.length + 2) throw new Error('EMSA-PSS: encoding error'); // step 3
  // Steps 5–6: H = Hash(0x00 * 8 || mHash || salt).
  const h = createHash(hash.node).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  // Steps 7–8: DB = PS || 0x01 || salt.
  const db = Buffer.alloc(emLen - hLen - 1);
  db[db.length - salt.length - 1] = 0x01;
  Buffer.from(salt).copy(db, db.length - salt.length);
  // Steps 9–10: maskedDB = DB xor MGF1(H).
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  // Step 11: clear the leftmost 8*emLen - emBits bits.
  db[0] = (db[0] as number) & (0xff >>> (8 * emLen - emBits));
  return Buffer.concat([db, h, Buffer.of(0xbc)]); // step 12
}

/**
 * RSASSA-PSS-SIGN (RFC 8017 §8.1.1) with modBits from the key. Node has no PSS that accepts a
 * digest, hence EMSA-PSS here and raw RSASP1 (RSA_NO_PADDING) on the k-byte encoded message.
 */
export function signPss(key: KeyObject, hash: HashAlgorithm, digest: Uint8Array, salt: Uint8Array): Buffer {
  const modBits = key.asymmetricKeyDetails?.modulusLength;
  if (!modBits) throw new Error('RSASSA-PSS: not an RSA key');
  const em = emsaPssEncode(hash, digest, modBits - 1, salt);
  const k = Math.ceil(modBits / 8);
  const block = em.length === k ? em : Buffer.concat([Buffer.alloc(k - em.length), em]);
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, block);
}
