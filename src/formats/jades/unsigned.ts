/**
 * The unsigned properties in `etsiU` (TS 119 182-1 §5.3): sigTst (B-T), xVals and rVals (B-LT),
 * arcTst (B-LTA). Each element is the base64url encoding of a one-member JSON object (§5.3.1),
 * not a clear JSON object: the archive time-stamp's message imprint then concatenates those exact
 * strings (§5.3.6.3.1.1), with no JSON canonicalisation for a verifier to reproduce.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { HASHES, type HashName } from '../../keys/index.js';
import type { AdesLevel, FormatServices, ValidationData } from '../ports.js';
import { b64url } from './codec.js';
import { readTimestamp } from './tst.js';

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

async function stamp(services: FormatServices, hash: HashName, data: Uint8Array): Promise<Uint8Array> {
  const tsa = services.timestamps;
  if (!tsa) throw new ShomeiError('format_service_missing', { level: 'B-T', service: 'time-stamping authority' });
  return tsa.timestamp(createHash(HASHES[hash].node).update(data).digest(), hash);
}

export async function unsignedProperties(
  level: AdesLevel,
  parts: SignedParts,
  chain: readonly Uint8Array[],
  hash: HashName,
  services: FormatServices,
): Promise<string[]> {
  if (level === 'B-B') return [];
  const sigTst = await stamp(services, hash, sigTstInput(parts));
  const etsiU = [component('sigTst', { tstTokens: [pkiOb(sigTst)] })];
  if (level === 'B-T') return etsiU;
  const data = await validationData(services, chain, sigTst);
  const inX5c = new Set(chain.map((c) => Buffer.from(c).toString('base64')));
  const xVals = unique(data.certificates).filter((c) => !inX5c.has(Buffer.from(c).toString('base64')));
  if (xVals.length > 0)
    etsiU.push(
      component(
        'xVals',
        xVals.map((c) => ({ x509Cert: pkiOb(c) })),
      ),
    );
  const crls = unique(data.crls);
  const ocsps = unique(data.ocspResponses);
  if (crls.length + ocsps.length > 0) {
    etsiU.push(
      component('rVals', {
        ...(crls.length ? { crlVals: crls.map(pkiOb) } : {}),
        ...(ocsps.length ? { ocspVals: ocsps.map(pkiOb) } : {}),
      }),
    );
  }
  if (level === 'B-LT') return etsiU;
  const arcTst = await stamp(services, hash, arcTstInput(parts, etsiU));
  etsiU.push(component('arcTst', { tstTokens: [pkiOb(arcTst)] }));
  return etsiU;
}

/** §5.3.5: the signer's chain and the TSA's, with their revocation status. */
async function validationData(
  services: FormatServices,
  chain: readonly Uint8Array[],
  sigTst: Uint8Array,
): Promise<ValidationData> {
  const source = services.revocation;
  if (!source) throw new ShomeiError('format_service_missing', { level: 'B-LT', service: 'revocation data source' });
  const tsaChain = readTimestamp(sigTst, 'sigTst').certificates;
  const parts = [await source.collect(chain), ...(tsaChain.length ? [await source.collect(tsaChain)] : [])];
  return {
    certificates: parts.flatMap((p) => [...p.certificates]),
    ocspResponses: parts.flatMap((p) => [...p.ocspResponses]),
    crls: parts.flatMap((p) => [...p.crls]),
  };
}

function unique(items: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = Buffer.from(i).toString('base64');
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
