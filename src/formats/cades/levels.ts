/**
 * Raising a CAdES B-B signature to B-T, B-LT and B-LTA (EN 319 122-1 §6), each step a function of
 * the signature bytes, so the same steps extend a signature made earlier (re-time-stamping).
 */
import { ShomeiError } from '../../errors.js';
import {
  addUnsignedAttribute,
  CMS_OID,
  readSignedData,
  signatureValueOf,
  signedDataCertificates,
  signerChain,
  stampData,
  stampDigest,
  tsaChain,
  unsignedAttributeValues,
} from '../cms/index.js';
import { atLeast, checkServices, revocationFor, timestampsFor } from '../levels.js';
import { collectValidationData } from '../ltv/index.js';
import type { AdesLevel, FormatServices, RevocationSource, TimestampSource } from '../ports.js';
import { archiveInput, signedDataDigest } from './archive.js';
import { addValidationData } from './validation-data.js';

/** B-B → `level`. */
export async function extendTo(cms: Uint8Array, level: AdesLevel, services: FormatServices): Promise<Uint8Array> {
  checkServices(level, services);
  let out = cms;
  if (atLeast(level, 'B-T')) out = await addSignatureTimestamp(out, timestampsFor(level, services));
  if (atLeast(level, 'B-LT')) out = await addLongTermData(out, revocationFor(level, services));
  if (atLeast(level, 'B-LTA')) out = await addArchiveTimestamp(out, timestampsFor(level, services));
  return out;
}

/** signature-time-stamp (EN 319 122-1 §5.3; RFC 5126 §6.1.1): a token over the signature value. */
export async function addSignatureTimestamp(cms: Uint8Array, tsa: TimestampSource): Promise<Uint8Array> {
  const { hash } = signedDataDigest(readSignedData(cms));
  const token = await stampData(tsa, signatureValueOf(cms), hash.name);
  return addUnsignedAttribute(cms, CMS_OID.signatureTimeStampToken, [token]);
}

/** The time-stamp tokens in the unsigned attributes (signature and archive time-stamps). */
export const timestampTokens = (cms: Uint8Array): Uint8Array[] =>
  unsignedAttributeValues(cms, [CMS_OID.signatureTimeStampToken, CMS_OID.archiveTimestampV3]);

/** B-LT: the signer's chain and every TSA's chain, with their revocation status, into SignedData. */
export async function addLongTermData(cms: Uint8Array, revocation: RevocationSource): Promise<Uint8Array> {
  const signer = signerChain(cms);
  if (signer.length === 0)
    throw new ShomeiError('cms_malformed', { detail: 'the signer certificate is not in SignedData' });
  const chains = [signer];
  for (const token of timestampTokens(cms)) {
    const tsa = tsaChain(token, signedDataCertificates(cms));
    // RFC 3161 §2.4.1 certReq: without the TSA certificate its status cannot be collected.
    if (tsa.length === 0)
      throw new ShomeiError('timestamp_invalid', { detail: 'the token does not carry the TSA certificate' });
    chains.push(tsa);
  }
  const data = await collectValidationData(revocation, chains);
  return addValidationData(cms, [{ ...data, certificates: [...chains.flat(), ...data.certificates] }]);
}

/** archive-time-stamp-v3 with its ats-hash-index-v3 in the token's unsigned attributes (§5.5.2). */
export async function addArchiveTimestamp(cms: Uint8Array, tsa: TimestampSource): Promise<Uint8Array> {
  const { hash, index, imprint } = archiveInput(cms);
  const token = await stampDigest(tsa, imprint, hash.name);
  const indexed = addUnsignedAttribute(token, CMS_OID.atsHashIndexV3, [index]);
  return addUnsignedAttribute(cms, CMS_OID.archiveTimestampV3, [indexed]);
}
