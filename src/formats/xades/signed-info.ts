/**
 * The signed parts of a B-B signature (EN 319 132-1 §6.3 table 1): SignedProperties with
 * SigningTime, SigningCertificateV2 and a DataObjectFormat per data reference, and SignedInfo
 * with the data reference and the typed reference to SignedProperties (§4.3.5.1).
 */
import type { HashAlgorithm } from '../../keys/index.js';
import { DIGEST_URI, EXC_C14N, SIGNED_PROPERTIES_TYPE, type XmlSignatureMethod } from './algorithms.js';
import { ids } from './model.js';
import { referenceXml } from './references.js';
import { signingCertificateXml } from './signing-certificate.js';

/** xsd:dateTime in UTC, whole seconds (what validators display and compare). */
export const xmlDateTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function signedPropertiesXml(a: {
  readonly id: string;
  readonly signingTime: Date;
  readonly certificate: Uint8Array;
  readonly hash: HashAlgorithm;
  readonly mimeType: string;
}): string {
  const i = ids(a.id);
  return (
    `<xades:SignedProperties Id="${i.signedProperties}"><xades:SignedSignatureProperties>` +
    `<xades:SigningTime>${xmlDateTime(a.signingTime)}</xades:SigningTime>${signingCertificateXml(a.certificate, a.hash)}` +
    `</xades:SignedSignatureProperties><xades:SignedDataObjectProperties>` +
    `<xades:DataObjectFormat ObjectReference="#${i.dataReference}"><xades:MimeType>${a.mimeType}</xades:MimeType></xades:DataObjectFormat>` +
    '</xades:SignedDataObjectProperties></xades:SignedProperties>'
  );
}

export interface DataReference {
  readonly uri: string;
  readonly transforms: readonly string[];
}

/** ds:SignedInfo; digests are absent while they are being computed. */
export function signedInfoXml(a: {
  readonly id: string;
  readonly method: XmlSignatureMethod;
  readonly data: DataReference;
  readonly digests?: readonly [Buffer, Buffer];
}): string {
  const i = ids(a.id);
  const digestUri = DIGEST_URI[a.method.hash.name];
  const data = referenceXml({
    id: i.dataReference,
    ...a.data,
    digestUri,
    ...(a.digests ? { digest: a.digests[0] } : {}),
  });
  const props = referenceXml({
    type: SIGNED_PROPERTIES_TYPE,
    uri: `#${i.signedProperties}`,
    transforms: [EXC_C14N],
    digestUri,
    ...(a.digests ? { digest: a.digests[1] } : {}),
  });
  return (
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"/>` +
    `<ds:SignatureMethod Algorithm="${a.method.uri}"/>${data}${props}</ds:SignedInfo>`
  );
}
