/**
 * Reading a CMS signature (CAdES, or a PAdES /Contents) into the common model: the signer and
 * certificates, signing-time, time-stamp tokens with what they must cover (RFC 3161 App. A over
 * the signature value; archive-time-stamp-v3 over archiveImprint with the token's own
 * ats-hash-index-v3, EN 319 122-1 §5.5.2), and SignedData.crls as validation data (RFC 5940 §4.1).
 */
import { archiveImprint, signedDataDigest } from '../../formats/cades/index.js';
import {
  attributesOf,
  bytesOf,
  CMS_OID,
  children,
  contentOf,
  oidString,
  readSignedData,
  type SignedDataView,
  signatureValueOf,
  signedAttrsField,
  signedDataCertificates,
  signerCertificate,
  TAG,
  unsignedAttributeValues,
} from '../../formats/cms/index.js';
import { timeText } from '../path/der.js';
import { checkCmsIntegrity } from './cms-integrity.js';
import { type EmbeddedData, type ExtractedSignature, levelOf, NO_DATA, type TimestampInput } from './model.js';
import type { SignatureFormatName } from './report.js';

const UTC_TIME = 0x17;

/** UTCTime / GeneralizedTime content (X.680 §46, §47) as a Date; the tag decides the year's length. */
export const asn1Time = (tag: number, text: string): Date | undefined => timeText(tag === UTC_TIME, text);

function signingTime(v: SignedDataView): Date | undefined {
  const attr = attributesOf(v.der, signedAttrsField(v)).find((a) => a.type === CMS_OID.signingTime);
  const t = attr?.values[0];
  return t ? asn1Time(t.tag, Buffer.from(contentOf(v.der, t)).toString('latin1')) : undefined;
}

function embedded(v: SignedDataView): EmbeddedData {
  if (!v.crls) return NO_DATA;
  const crls: Uint8Array[] = [];
  const ocsps: Uint8Array[] = [];
  for (const c of children(v.der, v.crls)) {
    if (c.tag === TAG.sequence) crls.push(Uint8Array.from(bytesOf(v.der, c)));
    const [format, info] = c.tag === TAG.ctx1 ? children(v.der, c) : [];
    if (format && info && oidString(contentOf(v.der, format)) === CMS_OID.riOcspResponse) {
      ocsps.push(Uint8Array.from(bytesOf(v.der, info)));
    }
  }
  return { certificates: [], crls, ocsps };
}

function timestamps(cms: Uint8Array, v: SignedDataView): TimestampInput[] {
  const signatureValue = signatureValueOf(cms);
  const sigTs = unsignedAttributeValues(cms, [CMS_OID.signatureTimeStampToken]).map(
    (token): TimestampInput => ({ kind: 'signature', token, covers: { data: signatureValue } }),
  );
  const { hash } = signedDataDigest(v);
  const archive = unsignedAttributeValues(cms, [CMS_OID.archiveTimestampV3]).map((token): TimestampInput => {
    const index = unsignedAttributeValues(token, [CMS_OID.atsHashIndexV3])[0];
    // Without its index the token cannot be tied to this signature: an imprint of nothing never matches.
    const digest = index ? archiveImprint(v, hash, index) : new Uint8Array(hash.length);
    return { kind: 'archive', token, covers: { digest } };
  });
  return [...sigTs, ...archive];
}

/** A CMS signature; `content` is the detached content (or the PDF byte ranges). */
export function readCmsSignature(
  cms: Uint8Array,
  content: Uint8Array | undefined,
  format: SignatureFormatName,
  id: string,
): ExtractedSignature {
  const integrity = checkCmsIntegrity(cms, content);
  let v: SignedDataView;
  try {
    v = readSignedData(cms);
  } catch {
    return { id, format, integrity, certificates: [], level: 'B-B', timestamps: [], embedded: NO_DATA };
  }
  const signer = signerCertificate(cms);
  const stamps = timestamps(cms, v);
  const data = embedded(v);
  const hasValues = data.crls.length + data.ocsps.length > 0;
  const claimed = signingTime(v);
  return {
    id,
    format,
    integrity,
    ...(signer ? { signer } : {}),
    certificates: signedDataCertificates(cms),
    ...(claimed ? { claimedSigningTime: claimed } : {}),
    level: levelOf(
      stamps.some((s) => s.kind === 'signature'),
      hasValues,
      stamps.some((s) => s.kind === 'archive'),
    ),
    timestamps: stamps,
    embedded: data,
  };
}
