/**
 * Signing X.509 structures (PKCS#10 requests, certificates) through the key service: the TBS
 * bytes are hashed here and the digest goes through the same signing path as every CSC signature.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier } from 'pkijs';
import type { KeyType } from './algorithms.js';
import { defaultSignature, type ResolvedSignature, signatureAlgorithmOid } from './signature.js';

/**
 * RFC 4055 §5 / RFC 8017 A.2.4: sha*WithRSAEncryption carry NULL parameters;
 * RFC 5758 §3.2: ecdsa-with-SHA* carry none.
 */
export function algorithmIdentifier(sig: ResolvedSignature): AlgorithmIdentifier {
  const algorithmId = signatureAlgorithmOid(sig);
  return sig.scheme === 'rsa-pkcs1'
    ? new AlgorithmIdentifier({ algorithmId, algorithmParams: new asn1js.Null() })
    : new AlgorithmIdentifier({ algorithmId });
}

/** A pkijs object with a TBS part and a signature (Certificate, CertificationRequest). */
export interface SignablePkiObject {
  signatureAlgorithm: AlgorithmIdentifier;
  signatureValue: asn1js.BitString;
  tbsView: Uint8Array;
  toSchema(encodeFlag?: boolean): asn1js.Sequence;
}

/** What signing needs from the key service (avoids an import cycle). */
export interface DigestSigner {
  get(keyId: string): Promise<{ keyType: KeyType }>;
  signDigests(keyId: string, sig: ResolvedSignature, digests: readonly Uint8Array[]): Promise<Buffer[]>;
}

/**
 * Sets the signature algorithm (through `setAlgorithm`, since a certificate repeats it inside the
 * TBS, RFC 5280 §4.1.2.3), signs the DER TBS with the key's default hash and returns the DER.
 */
export async function signPkiObject(
  keys: DigestSigner,
  keyId: string,
  obj: SignablePkiObject,
  setAlgorithm: (alg: AlgorithmIdentifier) => void = () => {},
): Promise<Buffer> {
  const sig = defaultSignature((await keys.get(keyId)).keyType);
  obj.signatureAlgorithm = algorithmIdentifier(sig);
  setAlgorithm(algorithmIdentifier(sig));
  const tbs = obj.toSchema(true).valueBlock.value[0]?.toBER(false);
  if (!tbs) throw new Error('signPkiObject: no TBS');
  const digest = createHash(sig.hash.node).update(new Uint8Array(tbs)).digest();
  const [signature] = await keys.signDigests(keyId, sig, [digest]);
  if (!signature) throw new Error('signPkiObject: no signature');
  // toSchema(false) re-uses tbsView, so the signed bytes are exactly the bytes emitted.
  obj.tbsView = new Uint8Array(tbs);
  obj.signatureValue = new asn1js.BitString({ valueHex: signature });
  return Buffer.from(obj.toSchema(false).toBER(false));
}
