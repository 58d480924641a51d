/**
 * KEY-2 import checks. Before an uploaded or transferred key is stored: it is a key the algorithm
 * table allows (SIGN-4), the certificate certifies exactly this key (RFC 5280 §4.1.2.7) and is
 * within its validity (§4.1.2.5). After it is stored: the key store signs a fresh random challenge
 * with the stored key and the signature verifies under the certificate's public key, with
 * OpenSSL's verifier rather than our own — so the credential is enabled only for a key that the
 * key store really holds and that really belongs to the certificate.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { ShomeiError } from '../errors.js';
import type { Random } from '../platform/index.js';
import { type KeyPolicy, type KeyType, keyTypeInfo } from './algorithms.js';
import type { CertificateInfo } from './certificates.js';
import { checkChain } from './certificates.js';
import { keyTypeOfKeyObject } from './key-object.js';
import { defaultSignature, type ResolvedSignature } from './signature.js';

const CHALLENGE_BYTES = 32;

/** The end-entity certificate must be valid now (not expired, not yet valid). */
export function checkValidityNow(info: Pick<CertificateInfo, 'notBefore' | 'notAfter'>, now: number): void {
  if (now > info.notAfter) throw new ShomeiError('certificate_expired');
  if (now < info.notBefore) throw new ShomeiError('certificate_not_valid');
}

/** A signing credential's key type: in the table, allowed by policy, and able to sign hashes. */
export function signingKeyType(keyType: string, policy: KeyPolicy): KeyType {
  const info = keyTypeInfo(keyType, policy);
  if (info.family === 'ed25519')
    throw new ShomeiError('unsupported_algorithm', { detail: 'Ed25519 cannot sign hashes' });
  return info.name;
}

function parsePrivateKey(pkcs8Der: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(pkcs8Der), format: 'der', type: 'pkcs8' });
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'key' });
  }
}

/**
 * SIGN-4 first, so a weak key is named as such rather than as a mismatch: RSA by modulus length,
 * ECDSA by curve. CSC signHash signs digests, so not Ed25519 (it hashes the message itself). The
 * key store's import checks again (e.g. the RSA public exponent).
 */
function tableKeyType(key: KeyObject): KeyType {
  const keyType = keyTypeOfKeyObject(key);
  if (keyType === 'Ed25519') throw new ShomeiError('unsupported_algorithm', { detail: `${key.asymmetricKeyType} key` });
  return keyType;
}

/**
 * Before import: a key the table allows, whose public half is the certificate's; the chain links up.
 */
export function checkKeyMatchesChain(
  pkcs8Der: Uint8Array,
  chainDer: readonly Uint8Array[],
  now: number,
): CertificateInfo {
  const key = parsePrivateKey(pkcs8Der);
  tableKeyType(key);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  let info: CertificateInfo;
  try {
    info = checkChain(spki, chainDer);
  } catch (e) {
    if (e instanceof ShomeiError && e.code === 'certificate_mismatch') {
      throw new ShomeiError('proof_of_possession_failed', { detail: e.params.detail ?? 'certificate mismatch' });
    }
    throw e;
  }
  checkValidityNow(info, now);
  return info;
}

/** What proving possession needs from the key service. */
export interface ChallengeSigner {
  signDigests(keyId: string, sig: ResolvedSignature, digests: readonly Uint8Array[]): Promise<Buffer[]>;
}

/**
 * After import: the stored key signs SHA-2(random challenge); OpenSSL verifies it under the
 * end-entity certificate's public key. Throws proof_of_possession_failed otherwise.
 */
export async function proveKeyPossession(
  keys: ChallengeSigner,
  keyId: string,
  keyType: KeyType,
  certificateDer: Uint8Array,
  random: Random,
): Promise<void> {
  const sig = defaultSignature(keyType);
  const challenge = random.bytes(CHALLENGE_BYTES);
  const digest = createHash(sig.hash.node).update(challenge).digest();
  const [signature] = await keys.signDigests(keyId, sig, [digest]);
  const publicKey = new X509Certificate(certificateDer).publicKey;
  // PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value for EC: node's defaults for these key types.
  if (!signature || !verify(sig.hash.node, challenge, publicKey, signature)) {
    throw new ShomeiError('proof_of_possession_failed', { detail: 'the stored key does not sign for the certificate' });
  }
}
