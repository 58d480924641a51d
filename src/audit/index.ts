/**
 * The signing log (SPEC ④, LOG-1..4): the whole public surface of src/audit. Other modules need only
 * `AuditSink`; the app wires `createAuditLog`; the CLI uses the verifier and the export.
 */
export type { Checkpoint } from './checkpoint.js';
export { checkpointText, parseCheckpoint } from './checkpoint.js';
export type { LogEntry } from './entry.js';
export { decodeEntry } from './entry.js';
export type { AuditEvent, AuditReceipt, AuditSink, AuditValue } from './event.js';
export type { ExportHeader } from './export.js';
export { EXPORT_FORMAT, exportLog, readExport, storeSource } from './export.js';
export type { AuditLog, AuditLogOptions, AuditLogStats, SignedCheckpoint, StoredEntry } from './log.js';
export { createAuditLog } from './log.js';
export { EMPTY_ROOT, leafHash, nodeHash } from './merkle.js';
export type { NoteSigner, NoteVerifierKey } from './note.js';
export {
  ed25519NoteSigner,
  ed25519PrivateKeyFromSeed,
  openNote,
  parseVerifierKey,
  signNote,
  verifierKeyString,
} from './note.js';
export { verifyConsistency, verifyInclusion } from './proof.js';
export type { CheckpointRow, LeafRow } from './tables.js';
export { LOG_LOCK_ID } from './tables.js';
export type { LogSource, Problem, ProblemCode, VerifyOptions, VerifyReport } from './verify.js';
export { verifyLog } from './verify.js';
