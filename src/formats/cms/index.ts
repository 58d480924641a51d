/**
 * The CMS core (RFC 5652) every CMS-based format builds on: CAdES, PAdES's /Contents and the TSA's
 * tokens. Outputs are DER; existing signatures are extended by splicing, never re-encoded.
 */
export { signatureAlgorithm } from './algorithm.js';
export { certificateName, issuerAndSerialNumber, signingCertificateV2 } from './certificate.js';
export { bytesOf, children, contentOf, readTlv, setOf, splice, TAG, type Tlv, tlv } from './der.js';
export { algorithmId, attribute, integer, octetString, oid, time } from './encode.js';
export { CMS_OID } from './oids.js';
export { type CmsSignOptions, type PreparedCms, prepareCms } from './prepare.js';
export {
  attributesOf,
  oidString,
  readSignedData,
  type SignedDataView,
  signatureField,
  signedAttrsField,
  unsignedAttrsField,
} from './signed-data.js';
export { addUnsignedAttribute, signatureValueOf } from './unsigned.js';
