/**
 * PAdES baseline signatures (FMT-1, ETSI EN 319 142-1) B-B to B-LTA, written as incremental
 * updates so earlier signatures in the file stay valid.
 */
export { addDocumentTimestamp, addDss, type DssOptions, TIMESTAMP_ROOM } from './extend.js';
export { type PadesOptions, preparePades, signatureRoom } from './sign.js';
