/**
 * What a signing worker does with one request: unwrap the key, use it for the whole batch, wipe
 * the plaintext (SIGN-3). Parsing the PKCS#8 costs far more than one signature (~420 µs for RSA),
 * so it happens once per request, never per digest.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { KEY_TYPES, type KeyType } from '../algorithms.js';
import type { ResolvedSignature } from '../signature.js';
import { ecScalar, signEcdsa } from './ec.js';
import { signPkcs1, signPss } from './rsa.js';
import { unwrapKey } from './wrap.js';

interface KeyRequest {
  /** The KEK `wrapped` is under, sent with each request: workers hold no KEK between requests. */
  readonly kek: Uint8Array;
  readonly keyId: string;
  readonly keyType: KeyType;
  readonly wrapped: Uint8Array;
}

export type WorkerRequest =
  | (KeyRequest & {
      readonly op: 'sign';
      readonly signature: ResolvedSignature;
      readonly digests: readonly Uint8Array[];
      /** One salt per digest for RSASSA-PSS, drawn from the injected Random by the caller. */
      readonly salts: readonly Uint8Array[];
    })
  | (KeyRequest & { readonly op: 'signMessage'; readonly message: Uint8Array })
  | (KeyRequest & { readonly op: 'publicKey' });

export type WorkerResult = Uint8Array[] | Uint8Array;

export function perform(req: WorkerRequest): WorkerResult {
  const pkcs8 = unwrapKey(req.kek, req.keyId, req.wrapped);
  try {
    switch (req.op) {
      case 'sign':
        return signBatch(pkcs8, req);
      case 'signMessage':
        // Ed25519 (RFC 8032) hashes internally; crypto.sign(null, …) is PureEdDSA here.
        return sign(null, req.message, privateKey(pkcs8));
      case 'publicKey':
        return createPublicKey(privateKey(pkcs8)).export({ type: 'spki', format: 'der' });
    }
  } finally {
    pkcs8.fill(0);
  }
}

const privateKey = (pkcs8: Buffer): KeyObject => createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });

function signBatch(pkcs8: Buffer, req: Extract<WorkerRequest, { op: 'sign' }>): Buffer[] {
  const { signature: sig, digests } = req;
  const key = KEY_TYPES[req.keyType];
  if (sig.scheme === 'ecdsa') {
    if (!key.curve) throw new Error(`ECDSA with a ${req.keyType} key`);
    const curve = key.curve;
    const scalar = ecScalar(pkcs8, curve);
    try {
      return digests.map((d) => signEcdsa(curve, scalar, d));
    } finally {
      scalar.fill(0);
    }
  }
  if (key.family !== 'rsa') throw new Error(`${sig.scheme} with a ${req.keyType} key`);
  const rsaKey = privateKey(pkcs8);
  if (sig.scheme === 'rsa-pkcs1') return digests.map((d) => signPkcs1(rsaKey, sig.hash, d));
  return digests.map((d, i) => {
    const salt = req.salts[i];
    if (!salt || salt.length !== sig.saltLength) throw new Error('RSASSA-PSS: salt missing');
    return signPss(rsaKey, sig.hash, d, salt);
  });
}
