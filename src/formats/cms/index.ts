/**
 * The CMS core (RFC 5652) every CMS-based format builds on: CAdES, PAdES's /Contents and the TSA's
 * tokens. Outputs are DER; existing signatures are extended by splicing, never re-encoded. Also the
 * pieces every format shares around it: RFC 3161 tokens read and checked once (timestamp.ts), the
 * signer's and TSA's certificate paths (chain.ts), and ECDSA DER ↔ r||s (ecdsa.ts).
 */
export { resolveSigner, signatureAlgorithm } from './algorithm.js';
export { certificateName, issuerAndSerialNumber, signingCertificateV2 } from './certificate.js';
export { chainOf, isIssuedBy, signedDataCertificates, signerCertificate, signerChain } from './chain.js';
export { bytesOf, children, contentOf, readTlv, setOf, splice, TAG, type Tlv, tlv } from './der.js';
export { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa.js';
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
export {
  checkToken,
  coversData,
  isTsaCertificate,
  readTimestampToken,
  stampData,
  stampDigest,
  type TimestampToken,
  tsaChain,
} from './timestamp.js';
export { addUnsignedAttribute, signatureValueOf, unsignedAttributeValues } from './unsigned.js';
