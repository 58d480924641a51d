/**
 * Raising a CAdES B-B signature to B-T, B-LT and B-LTA (EN 319 122-1 §6), each step a function of
 * the signature bytes, so the same steps extend a signature made earlier (re-time-stamping).
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import {
  addUnsignedAttribute,
  attributesOf,
  bytesOf,
  CMS_OID,
  readSignedData,
  signatureValueOf,
  unsignedAttrsField,
} from '../cms/index.js';
import type { AdesLevel, FormatServices, RevocationSource, TimestampSource } from '../ports.js';
import { archiveInput, signedDataDigest } from './archive.js';
import { chainOf, checkToken, signedDataCertificates, signerCertificate } from './tokens.js';
import { addValidationData } from './validation-data.js';

const ORDER: Readonly<Record<AdesLevel, number>> = { 'B-B': 0, 'B-T': 1, 'B-LT': 2, 'B-LTA': 3 };

/** Refuses before anything is signed when the level needs a service that is not configured. */
export function checkServices(level: AdesLevel, services: FormatServices): void {
  if (ORDER[level] >= ORDER['B-T'] && !services.timestamps) timestampsOf(level, services);
  if (ORDER[level] >= ORDER['B-LT'] && !services.revocation) revocationOf(level, services);
}

export function timestampsOf(level: AdesLevel, services: FormatServices): TimestampSource {
  if (!services.timestamps) {
    throw new ShomeiError('format_service_missing', { level, service: 'time-stamping authority' });
  }
  return services.timestamps;
}

function revocationOf(level: AdesLevel, services: FormatServices): RevocationSource {
  if (!services.revocation) throw new ShomeiError('format_service_missing', { level, service: 'revocation source' });
  return services.revocation;
}

/** B-B → `level`. */
export async function extendTo(cms: Uint8Array, level: AdesLevel, services: FormatServices): Promise<Uint8Array> {
  checkServices(level, services);
  let out = cms;
  if (ORDER[level] >= ORDER['B-T']) out = await addSignatureTimestamp(out, timestampsOf(level, services));
  if (ORDER[level] >= ORDER['B-LT']) out = await addLongTermData(out, revocationOf(level, services));
  if (ORDER[level] >= ORDER['B-LTA']) out = await addArchiveTimestamp(out, timestampsOf(level, services));
  return out;
}

/** signature-time-stamp (EN 319 122-1 §5.3; RFC 5126 §6.1.1): a token over the signature value. */
export async function addSignatureTimestamp(cms: Uint8Array, tsa: TimestampSource): Promise<Uint8Array> {
  const { hash } = signedDataDigest(readSignedData(cms));
  const digest = createHash(hash.node).update(signatureValueOf(cms)).digest();
  const token = await tsa.timestamp(digest, hash.name);
  checkToken(token, digest, hash.name);
  return addUnsignedAttribute(cms, CMS_OID.signatureTimeStampToken, [token]);
}

/** The time-stamp tokens in the unsigned attributes (signature and archive time-stamps). */
export function timestampTokens(cms: Uint8Array): Uint8Array[] {
  const v = readSignedData(cms);
  const u = unsignedAttrsField(v);
  if (!u) return [];
  return attributesOf(v.der, u)
    .filter((a) => a.type === CMS_OID.signatureTimeStampToken || a.type === CMS_OID.archiveTimestampV3)
    .flatMap((a) => a.values.map((t) => Uint8Array.from(bytesOf(v.der, t))));
}

/** B-LT: the signer's chain and every TSA's chain, with their revocation status, into SignedData. */
export async function addLongTermData(cms: Uint8Array, revocation: RevocationSource): Promise<Uint8Array> {
  const own = signedDataCertificates(cms);
  const signer = signerCertificate(cms);
  if (!signer) throw new ShomeiError('cms_malformed', { detail: 'the signer certificate is not in SignedData' });
  const chains = [chainOf(signer, own)];
  for (const token of timestampTokens(cms)) {
    const tsa = signerCertificate(token);
    // RFC 3161 §2.4.1 certReq: without the TSA certificate its status cannot be collected.
    if (!tsa) throw new ShomeiError('timestamp_invalid', { detail: 'the token does not carry the TSA certificate' });
    chains.push(chainOf(tsa, [...signedDataCertificates(token), ...own]));
  }
  const data = [];
  for (const chain of chains) {
    const d = await revocation.collect(chain);
    data.push({ ...d, certificates: [...chain, ...d.certificates] });
  }
  return addValidationData(cms, data);
}

/** archive-time-stamp-v3 with its ats-hash-index-v3 in the token's unsigned attributes (§5.5.2). */
export async function addArchiveTimestamp(cms: Uint8Array, tsa: TimestampSource): Promise<Uint8Array> {
  const { hash, index, imprint } = archiveInput(cms);
  const token = await tsa.timestamp(imprint, hash.name);
  checkToken(token, imprint, hash.name);
  const indexed = addUnsignedAttribute(token, CMS_OID.atsHashIndexV3, [index]);
  return addUnsignedAttribute(cms, CMS_OID.archiveTimestampV3, [indexed]);
}
