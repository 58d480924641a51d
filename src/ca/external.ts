/**
 * External-CA mode (CA-1): a key of this service certified by another CA. The service exports the
 * key's CSR (`shomei key csr`), the operator's CA issues the certificate, and the chain comes back
 * (`shomei key import-cert`): it must be for this key (keys/ checks that and every link), be valid
 * now, and lead to a configured trust anchor (`ca.externalAnchors`) — or to this service's own
 * root. A chain to anything else is refused: nobody can attach a self-made "CA" to a signer's key.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ShomeiError } from '../errors.js';
import type { CertificateInfo, KeyService } from '../keys/index.js';
import type { LocalCa } from './local-ca.js';

const mismatch = (detail: string) => new ShomeiError('certificate_mismatch', { detail });

/** Certificates from PEM (one or more each) or DER files. */
export function readCertificateFiles(files: readonly string[]): Buffer[] {
  return files.flatMap((f) => {
    const raw = readFileSync(f);
    const text = raw.toString('latin1');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) return [raw];
    return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
      Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64'),
    );
  });
}

/** The chain's top certificate is an anchor, or is issued (and signed) by one; every link is valid now. */
export function checkAnchored(chain: readonly Uint8Array[], anchors: readonly Uint8Array[], now: number): void {
  const certs = chain.map((c) => {
    try {
      return new X509Certificate(Buffer.from(c));
    } catch {
      throw mismatch('a certificate does not parse');
    }
  });
  for (const c of certs)
    if (now < Date.parse(c.validFrom) || now > Date.parse(c.validTo)) throw mismatch(`${c.subject} is not valid now`);
  const top = certs.at(-1) as X509Certificate;
  const trusted = anchors.map((a) => new X509Certificate(Buffer.from(a)));
  const anchored = trusted.some((a) => a.raw.equals(top.raw) || (top.checkIssued(a) && top.verify(a.publicKey)));
  if (!anchored) throw mismatch('the chain does not lead to a configured trust anchor (ca.externalAnchors)');
}

export async function importExternalChain(
  deps: { keys: KeyService; ca: LocalCa; anchors: readonly Uint8Array[]; now: number },
  keyId: string,
  chain: readonly Uint8Array[],
): Promise<CertificateInfo> {
  const root = await deps.ca.ensure();
  checkAnchored(chain, [...deps.anchors, root.certificate], deps.now);
  return deps.keys.importCertificateChain(keyId, [...chain]);
}
