/** Object identifiers of CMS (RFC 5652), ESS (RFC 5035), CAdES (EN 319 122-1, RFC 5126) and RFC 3161. */
export const CMS_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  commitmentTypeIndication: '1.2.840.113549.1.9.16.2.16',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  certValues: '1.2.840.113549.1.9.16.2.23',
  revocationValues: '1.2.840.113549.1.9.16.2.24',
  archiveTimestampV3: '0.4.0.1733.2.4',
  atsHashIndexV3: '0.4.0.19122.1.5',
  riOcspResponse: '1.3.6.1.5.5.7.16.2',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  /** id-kp-timeStamping (RFC 3161 §2.3): the TSA certificate's one extended key usage. */
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
} as const;
