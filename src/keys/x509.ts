/**
 * Signing X.509 structures (PKCS#10 requests, certificates) through the key service: the TBS
 * bytes are hashed here and the digest goes through the same signing path as every CSC signature.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, Certificate, CertificateRevocationList, CertificationRequest } from 'pkijs';
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
  const [der] = await signPkiObjects(keys, keyId, [obj], () => setAlgorithm);
  return der as Buffer;
}

/**
 * Many objects with one key in one signDigests call (the key store signs a batch in parallel):
 * bulk certificate issuance, pre-generated OCSP responses. `setAlgorithmOf(i)` as above, per object.
 */
export async function signPkiObjects(
  keys: DigestSigner,
  keyId: string,
  objs: readonly SignablePkiObject[],
  setAlgorithmOf: (index: number) => (alg: AlgorithmIdentifier) => void = () => () => {},
): Promise<Buffer[]> {
  const sig = defaultSignature((await keys.get(keyId)).keyType);
  const tbss = objs.map((obj, i) => {
    obj.signatureAlgorithm = algorithmIdentifier(sig);
    setAlgorithmOf(i)(algorithmIdentifier(sig));
    const tbs = obj.toSchema(true).valueBlock.value[0]?.toBER(false);
    if (!tbs) throw new Error('signPkiObject: no TBS');
    return new Uint8Array(tbs);
  });
  const digests = tbss.map((tbs) => createHash(sig.hash.node).update(tbs).digest());
  const signatures = await keys.signDigests(keyId, sig, digests);
  const alg = Buffer.from(algorithmIdentifier(sig).toSchema().toBER(false));
  return objs.map((obj, i) => {
    const signature = signatures[i];
    if (!signature) throw new Error('signPkiObject: no signature');
    obj.tbsView = tbss[i] as Uint8Array;
    obj.signatureValue = new asn1js.BitString({ valueHex: signature });
    // SEQUENCE { tbs, algorithm, BIT STRING } is the whole of a certificate, CSR or CRL: assembled
    // from the signed bytes directly (toSchema(false) would parse the TBS again, the costliest step
    // of bulk issuance). Anything with more fields (an OCSP response's certs) goes through pkijs.
    if (obj instanceof Certificate || obj instanceof CertificationRequest || obj instanceof CertificateRevocationList)
      return sequence([tbss[i] as Uint8Array, alg, Buffer.from(obj.signatureValue.toBER(false))]);
    return Buffer.from(obj.toSchema(false).toBER(false));
  });
}

/** DER SEQUENCE of already-encoded elements (X.690 §8.9, definite length). */
function sequence(parts: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len =
    n < 0x80
      ? Buffer.of(n)
      : n < 0x100
        ? Buffer.of(0x81, n)
        : n < 0x10000
          ? Buffer.of(0x82, n >> 8, n & 0xff)
          : Buffer.of(0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
  return Buffer.concat([Buffer.of(0x30), len, body]);
}
