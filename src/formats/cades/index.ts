/** CAdES baseline signatures, B-B to B-LTA (ETSI EN 319 122-1), on the CMS core. */

export { chainOf, checkToken, signedDataCertificates, signerCertificate } from '../cms/index.js';
export { archiveImprint, archiveInput, atsHashIndexV3, signedDataDigest, unsignedAttributes } from './archive.js';
export { timestampTokens } from './levels.js';
export {
  addCadesArchiveTimestamp,
  type CadesOptions,
  type CadesPackaging,
  prepareCades,
  prepareCadesDigest,
} from './prepare.js';
export { ocspRevocationInfo } from './validation-data.js';
