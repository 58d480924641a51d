/**
 * Certificate requests from outside (CA-1 issuance from a CSR; B4): PKCS#10 (RFC 2986) in PEM or
 * DER, its self-signature checked as proof of possession, the key's type checked against the
 * algorithm table (SIGN-4: no RSA below 2048, only the NIST curves we support).
 */
import { createPublicKey } from 'node:crypto';
import { CertificationRequest } from 'pkijs';
import { ShomeiError } from '../errors.js';
import { formatDn, type HashName, keyTypeOfKeyObject, verifySignature } from '../keys/index.js';

/** The signature algorithms a CSR may be signed with (RFC 5758 §3.2, RFC 8017 A.2.4). */
const CSR_SIGNATURES: Readonly<Record<string, { scheme: 'ecdsa' | 'rsa-pkcs1'; hash: HashName }>> = {
  '1.2.840.10045.4.3.2': { scheme: 'ecdsa', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { scheme: 'ecdsa', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { scheme: 'ecdsa', hash: 'SHA-512' },
  '1.2.840.113549.1.1.11': { scheme: 'rsa-pkcs1', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { scheme: 'rsa-pkcs1', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { scheme: 'rsa-pkcs1', hash: 'SHA-512' },
};

export const MAX_CSR_BYTES = 16 * 1024;

export interface CheckedCsr {
  readonly spki: Buffer;
  readonly subjectDn: string;
}

const bad = (detail: string) => new ShomeiError('invalid_parameter', { name: `csr (${detail})` });

function derOf(csr: string | Uint8Array): Buffer {
  if (typeof csr !== 'string') {
    const bytes = Buffer.from(csr);
    // A PEM file read as bytes.
    if (bytes.subarray(0, 11).toString('latin1') !== '-----BEGIN ') return bytes;
    return derOf(bytes.toString('latin1'));
  }
  const m =
    /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]+)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(
      csr,
    );
  const b64 = (m ? (m[1] as string) : csr).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw bad('not PEM or base64 DER');
  return Buffer.from(b64, 'base64');
}

export function checkCsr(input: string | Uint8Array): CheckedCsr {
  const der = derOf(input);
  if (der.length === 0 || der.length > MAX_CSR_BYTES) throw bad('size');
  let req: CertificationRequest;
  try {
    req = CertificationRequest.fromBER(der);
  } catch {
    throw bad('not a PKCS#10 request');
  }
  const alg = CSR_SIGNATURES[req.signatureAlgorithm.algorithmId];
  if (!alg) throw bad('signature algorithm');
  const spki = Buffer.from(req.subjectPublicKeyInfo.toSchema().toBER(false));
  try {
    keyTypeOfKeyObject(createPublicKey({ key: spki, format: 'der', type: 'spki' }));
  } catch {
    throw bad('key type');
  }
  const ok = verifySignature({
    spki,
    scheme: alg.scheme,
    hash: alg.hash,
    message: new Uint8Array(req.tbsView),
    signature: req.signatureValue.valueBlock.valueHexView,
  });
  if (!ok) throw bad('signature does not verify: no proof of possession');
  return { spki, subjectDn: formatDn(req.subject) };
}
