/**
 * B-LT validation data for the chains a signature depends on (the signer's, then each TSA's), as
 * every format gathers it before writing it in its own place (CMS certificates/crls, the PDF DSS,
 * XAdES CertificateValues/RevocationValues, JAdES xVals/rVals).
 */
import type { RevocationSource, ValidationData } from '../ports.js';

const key = (der: Uint8Array): string => Buffer.from(der).toString('base64');

/** Each DER object once, in first-seen order, leaving out those in `except`. */
export function uniqueDer(items: readonly Uint8Array[], except: readonly Uint8Array[] = []): Uint8Array[] {
  const seen = new Set(except.map(key));
  return items.filter((i) => {
    const k = key(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * What `source` collects for each chain, merged, each object once. A chain may be empty (a token
 * without certificates names no path), and is then skipped. The chains' own certificates are not
 * added: each format decides whether they already sit elsewhere in the signature.
 */
export async function collectValidationData(
  source: RevocationSource,
  chains: readonly (readonly Uint8Array[])[],
): Promise<ValidationData> {
  const all: ValidationData[] = [];
  // One after the other: a source may cache what the first chain fetched (a CA's CRL) for the next.
  for (const chain of chains) if (chain.length > 0) all.push(await source.collect(chain));
  return {
    certificates: uniqueDer(all.flatMap((d) => d.certificates)),
    ocspResponses: uniqueDer(all.flatMap((d) => d.ocspResponses)),
    crls: uniqueDer(all.flatMap((d) => d.crls)),
  };
}
