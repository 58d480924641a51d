/**
 * The SignerInfo's digestAlgorithm and signatureAlgorithm from the signer's CSC signAlgo, asked of
 * the one algorithm table (keys/signature.ts): ECDSA → ecdsa-with-SHAx (RFC 5758 §3.2, no
 * parameters), RSA PKCS#1 v1.5 → shaXWithRSAEncryption (RFC 4055 §5, NULL), RSASSA-PSS →
 * id-RSASSA-PSS with its parameters (RFC 4056 §2).
 */
import { AlgorithmIdentifier, RSASSAPSSParams } from 'pkijs';
import { ShomeiError } from '../../errors.js';
import {
  HASHES,
  type HashAlgorithm,
  type KeyType,
  OID,
  type ResolvedSignature,
  resolveSignature,
  SIGN_ALGORITHMS,
  signatureAlgorithmOid,
} from '../../keys/index.js';
import type { SignerIdentity } from '../ports.js';
import { algorithmId, NULL } from './encode.js';

export function hashOf(signer: SignerIdentity): HashAlgorithm {
  const h = Object.hasOwn(HASHES, signer.hash) ? HASHES[signer.hash] : undefined;
  if (!h) throw new ShomeiError('unsupported_algorithm', { detail: `hash ${signer.hash}` });
  return h;
}

/** The scheme the one algorithm table (keys/signature.ts) resolves for the signer's key type, signAlgo and hash. */
export function resolveSigner(signer: SignerIdentity, keyType: KeyType): ResolvedSignature {
  return resolveSignature({
    keyType,
    signAlgo: signer.signAlgo,
    hashAlgorithmOID: hashOf(signer).oid,
    signAlgoParams: signer.signAlgoParams,
  });
}

/** DER AlgorithmIdentifier of the signature. */
export function signatureAlgorithm(signer: SignerIdentity): Uint8Array {
  const hash = hashOf(signer);
  const algo = SIGN_ALGORITHMS.find((a) => a.oid === signer.signAlgo);
  if (!algo) throw new ShomeiError('unsupported_algorithm', { detail: `signAlgo ${signer.signAlgo}` });
  if (algo.hash && algo.hash !== hash.name) throw new ShomeiError('hash_algorithm_contradicts');
  if (algo.scheme === 'ecdsa') return algorithmId(algo.oid);
  if (algo.scheme === 'rsa-pkcs1') return algorithmId(signatureAlgorithmOid({ scheme: 'rsa-pkcs1', hash }), NULL);
  return algorithmId(OID.rsassaPss, pssParams(hash, signer.signAlgoParams));
}

/** The given RSASSA-PSS-params if they name the signer's hash; otherwise MGF1 and salt of that hash. */
function pssParams(hash: HashAlgorithm, given: Uint8Array | undefined): Uint8Array {
  if (given && given.length > 0) {
    let named: string;
    try {
      named = RSASSAPSSParams.fromBER(given).hashAlgorithm.algorithmId;
    } catch {
      throw new ShomeiError('invalid_parameter', { name: 'signAlgoParams' });
    }
    if (named !== hash.oid) throw new ShomeiError('hash_algorithm_contradicts');
    return given;
  }
  const h = new AlgorithmIdentifier({ algorithmId: hash.oid });
  const params = new RSASSAPSSParams({
    hashAlgorithm: h,
    maskGenAlgorithm: new AlgorithmIdentifier({ algorithmId: OID.mgf1, algorithmParams: h.toSchema() }),
    saltLength: hash.length,
  });
  return new Uint8Array(params.toSchema().toBER(false));
}
