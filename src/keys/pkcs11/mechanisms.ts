/**
 * The PKCS#11 mechanism and input for each signature scheme over a precomputed digest; the token
 * never hashes (csc-api-v2.md §9 pitfall 6):
 * - RSASSA-PKCS1-v1_5: CKM_RSA_PKCS (v2.40 Current Mechanisms §2.1.6) over DigestInfo, which the
 *   token pads with EMSA-PKCS1-v1_5 block type 1 (RFC 8017 §9.2);
 * - RSASSA-PSS: CKM_RSA_PKCS_PSS (§2.1.10) over the digest itself, with CK_RSA_PKCS_PSS_PARAMS;
 * - ECDSA: CKM_ECDSA (§2.3.7) over the digest; the token returns r||s, which becomes DER
 *   (Ecdsa-Sig-Value, RFC 5480 §2.2.3) to match the software key store.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import pkcs11js from 'pkcs11js';
import type { Curve, HashName } from '../algorithms.js';
import type { ResolvedSignature } from '../signature.js';
import { digestInfo } from '../software/rsa.js';

const PSS_HASH: Readonly<Record<HashName, { hashAlg: number; mgf: number }>> = {
  'SHA-256': { hashAlg: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256 },
  'SHA-384': { hashAlg: pkcs11js.CKM_SHA384, mgf: pkcs11js.CKG_MGF1_SHA384 },
  'SHA-512': { hashAlg: pkcs11js.CKM_SHA512, mgf: pkcs11js.CKG_MGF1_SHA512 },
};

export function signMechanism(sig: ResolvedSignature): pkcs11js.Mechanism {
  switch (sig.scheme) {
    case 'rsa-pkcs1':
      return { mechanism: pkcs11js.CKM_RSA_PKCS };
    case 'rsa-pss': {
      const parameter: pkcs11js.RsaPSS = {
        type: pkcs11js.CK_PARAMS_RSA_PSS,
        ...PSS_HASH[sig.hash.name],
        // resolveSignature() always sets it; 0 when absent, as the software key store does.
        saltLen: sig.saltLength ?? 0,
      };
      return { mechanism: pkcs11js.CKM_RSA_PKCS_PSS, parameter };
    }
    case 'ecdsa':
      return { mechanism: pkcs11js.CKM_ECDSA };
  }
}

/** What goes into C_Sign for one digest. */
export function signInput(sig: ResolvedSignature, digest: Uint8Array): Buffer {
  return sig.scheme === 'rsa-pkcs1' ? digestInfo(sig.hash, digest) : Buffer.from(digest);
}

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** CKM_ECDSA's output is r||s, each the length of the order (v2.40 §2.3.1); CMS wants DER. */
export function ecdsaRawToDer(curve: Curve, raw: Buffer): Buffer {
  return Buffer.from(CURVES[curve].Signature.fromBytes(raw, 'compact').toBytes('der'));
}
