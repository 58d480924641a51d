/**
 * The unsigned properties in `etsiU` (TS 119 182-1 §5.3): sigTst (B-T), xVals and rVals (B-LT),
 * arcTst (B-LTA). Each element is the base64url encoding of a one-member JSON object (§5.3.1),
 * not a clear JSON object: the archive time-stamp's message imprint then concatenates those exact
 * strings (§5.3.6.3.1.1), with no JSON canonicalisation for a verifier to reproduce.
 */
import type { HashName } from '../../keys/index.js';
import { stampData, tsaChain } from '../cms/index.js';
import { atLeast, revocationFor, timestampsFor } from '../levels.js';
import { collectValidationData, uniqueDer as unique } from '../ltv/index.js';
import type { AdesLevel, FormatServices } from '../ports.js';
import { b64url } from './codec.js';

/** The JWS parts the time-stamps cover, base64url text as serialized. */
export interface SignedParts {
  /** base64url JWS Payload, or with sigD the base64url document (§5.3.6.3.1 step 1/2). */
  readonly dataB64: string;
  readonly protectedB64: string;
  readonly signatureB64: string;
}

const component = (name: string, value: unknown): string => b64url(JSON.stringify({ [name]: value }));
const pkiOb = (der: Uint8Array) => ({ val: Buffer.from(der).toString('base64') });

/** §5.3.4: sigTst covers the base64url JWS Signature, as ASCII. */
export const sigTstInput = (parts: SignedParts): Buffer => Buffer.from(parts.signatureB64, 'ascii');

/** §5.3.6.3.1.1: data '.' protected '.' signature '.' then every etsiU element before arcTst. */
export const arcTstInput = (parts: SignedParts, before: readonly string[]): Buffer =>
  Buffer.from(`${parts.dataB64}.${parts.protectedB64}.${parts.signatureB64}.${before.join('')}`, 'ascii');

export async function unsignedProperties(
  level: AdesLevel,
  parts: SignedParts,
  chain: readonly Uint8Array[],
  hash: HashName,
  services: FormatServices,
): Promise<string[]> {
  if (!atLeast(level, 'B-T')) return [];
  const sigTst = await stampData(timestampsFor('B-T', services), sigTstInput(parts), hash);
  const etsiU = [component('sigTst', { tstTokens: [pkiOb(sigTst)] })];
  if (!atLeast(level, 'B-LT')) return etsiU;
  // §5.3.5: the signer's chain and the TSA's, with their revocation status.
  const data = await collectValidationData(revocationFor('B-LT', services), [chain, tsaChain(sigTst)]);
  const xVals = unique(data.certificates, chain); // the x5c certificates are not repeated
  if (xVals.length > 0)
    etsiU.push(
      component(
        'xVals',
        xVals.map((c) => ({ x509Cert: pkiOb(c) })),
      ),
    );
  const crls = data.crls;
  const ocsps = data.ocspResponses;
  if (crls.length + ocsps.length > 0) {
    etsiU.push(
      component('rVals', {
        ...(crls.length ? { crlVals: crls.map(pkiOb) } : {}),
        ...(ocsps.length ? { ocspVals: ocsps.map(pkiOb) } : {}),
      }),
    );
  }
  if (!atLeast(level, 'B-LTA')) return etsiU;
  const arcTst = await stampData(timestampsFor('B-LTA', services), arcTstInput(parts, etsiU), hash);
  etsiU.push(component('arcTst', { tstTokens: [pkiOb(arcTst)] }));
  return etsiU;
}
