/**
 * Evidence bundles (LOG-4): one signature's log entries with inclusion proofs, a signed checkpoint,
 * the certificate chain and revocation data, exported from the service and verified offline.
 */
export {
  BundleSchema,
  ENTRY_ROLES,
  type EntryRole,
  EVIDENCE_FORMAT,
  type EvidenceBundle,
  type EvidenceEntry,
  parseBundle,
  serializeBundle,
} from './bundle.js';
export type { RevocationStatus } from './chain.js';
export { type EvidenceSources, type ExportOptions, exportEvidence } from './export.js';
export { type EvidenceProblem, type EvidenceReport, type VerifyEvidenceOptions, verifyEvidence } from './verify.js';
