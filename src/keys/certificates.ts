/**
 * Certificate chains attached to keys (KEY-3: a certificate from the built-in or an external CA).
 * A chain is accepted only if its end-entity certificate certifies this key and each certificate
 * is signed by the next (RFC 5280 §6.1.3 (a)(1) signature, (a)(4) issuer name).
 */
import { X509Certificate } from 'node:crypto';
import { Certificate } from 'pkijs';
import { ShomeiError } from '../errors.js';
import { formatDn } from './dn.js';

export interface CertificateInfo {
  /** DER certificates, end-entity first. */
  readonly chain: Buffer[];
  /** Hex, as CSC `cert.serialNumber`. */
  readonly serialNumber: string;
  readonly subjectDn: string;
  readonly issuerDn: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly status: string;
}

const mismatch = (detail: string): ShomeiError => new ShomeiError('certificate_mismatch', { detail });

function parse(der: Uint8Array, i: number): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw mismatch(`certificate ${i} is not a DER X.509 certificate`);
  }
}

/** Checks the chain against the key's SubjectPublicKeyInfo; returns its description. */
export function checkChain(spki: Buffer, chainDer: readonly Uint8Array[]): CertificateInfo {
  if (chainDer.length === 0) throw new ShomeiError('invalid_parameter', { name: 'certificates' });
  const certs = chainDer.map(parse);
  const ee = certs[0] as X509Certificate;
  if (!ee.publicKey.export({ type: 'spki', format: 'der' }).equals(spki)) {
    throw mismatch('the end-entity certificate is for another key');
  }
  for (let i = 0; i + 1 < certs.length; i++) {
    const [child, parent] = [certs[i] as X509Certificate, certs[i + 1] as X509Certificate];
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw mismatch(`certificate ${i} is not issued by certificate ${i + 1}`);
    }
  }
  return describe(chainDer.map((c) => Buffer.from(c)));
}

export function describe(chain: Buffer[], status = 'valid'): CertificateInfo {
  const c = Certificate.fromBER(chain[0] as Buffer);
  return {
    chain,
    // The DER sign-padding byte is not part of the number (as `openssl x509 -serial` prints it).
    serialNumber: Buffer.from(c.serialNumber.valueBlock.valueHexView)
      .toString('hex')
      .replace(/^(00)+(?=.)/, ''),
    subjectDn: formatDn(c.subject),
    issuerDn: formatDn(c.issuer),
    notBefore: c.notBefore.value.getTime(),
    notAfter: c.notAfter.value.getTime(),
    status,
  };
}
