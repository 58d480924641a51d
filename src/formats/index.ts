/**
 * Signature formats (FMT-1): CAdES, PAdES, XAdES and JAdES at B-B to B-LTA on one two-step
 * contract (ports.ts), and the table from CSC signDoc fields to them (documents.ts).
 */
export {
  CONFORMANCE_LEVELS,
  type DocumentFormat,
  documentFormat,
  ENVELOPES,
  FORMATS,
  isDetached,
  prepareDigest,
  prepareDocument,
  type SignatureFormat,
} from './documents.js';
export type * from './ports.js';
export { ADES_LEVELS } from './ports.js';
