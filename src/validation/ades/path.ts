/** The one door to RFC 5280 path validation (../path) for the AdES steps. */
export { type PathInput, type PathResult, type RevocationInput, validatePath } from '../path/index.js';
