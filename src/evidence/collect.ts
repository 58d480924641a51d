/**
 * Finding one signature's entries in the log (LOG-4), walking back from the signature entry: its
 * SAD's events, the factors checked before the SAD was issued (back to the signer's previous
 * authorisation), its session's events, the login before the session's first event, and the newest
 * credential event naming its key and certificate. The walk stops once all are found, or after
 * `maxScan` entries.
 */
import type { AuditLog, LogEntry } from '../audit/index.js';
import { ShomeiError } from '../errors.js';
import type { EntryRole } from './bundle.js';
import { checkLink, type LinkContext, type SignatureFacts, signatureFacts } from './links.js';

export type Found = ReadonlyArray<{ readonly role: EntryRole; readonly entry: LogEntry & { readonly data: Buffer } }>;
type Log = Pick<AuditLog, 'entry'>;

/** The signature entry named by its seq (decimal) or its signatureSha256 (hex), searched back from `size`. */
export async function findSignature(log: Log, id: string, size: number, maxScan: number): Promise<number> {
  if (/^(0|[1-9][0-9]{0,15})$/.test(id)) return Number(id);
  if (!/^[0-9a-f]{64}$/.test(id)) throw new ShomeiError('invalid_parameter', { name: 'signature id' });
  for (let seq = size - 1; seq >= Math.max(0, size - maxScan); seq--) {
    const e = await log.entry(seq);
    if (e?.event.type === 'signature.create' && e.event.signatureSha256 === id) return seq;
  }
  throw new ShomeiError('evidence_signature_not_found', { id });
}

export async function signatureEntry(
  log: Log,
  seq: number,
): Promise<{ entry: Found[number]['entry']; sig: SignatureFacts }> {
  const entry = await log.entry(seq);
  const sig = entry && signatureFacts(entry);
  if (!entry || typeof sig !== 'object') throw new ShomeiError('evidence_signature_not_found', { id: String(seq) });
  return { entry, sig };
}

export async function collectEntries(
  log: Log,
  sig: SignatureFacts,
  certificateSerial: string,
  maxScan: number,
): Promise<Found> {
  const found: Array<Found[number]> = [];
  const ctx = { sig, certificateSerial, sadIssueSeq: -1, sessionStart: sig.seq } as {
    -readonly [K in keyof LinkContext]: LinkContext[K];
  };
  let factorsDone = false;
  let login = false;
  let credential = false;
  const fits = (role: EntryRole, e: LogEntry) => checkLink(role, e, ctx) === undefined;
  for (let seq = sig.seq - 1; seq >= Math.max(0, sig.seq - maxScan); seq--) {
    const e = await log.entry(seq);
    if (!e) continue;
    const type = String(e.event.type);
    if (fits('sad', e)) {
      found.push({ role: 'sad', entry: e });
      if (type === 'sad.issue') ctx.sadIssueSeq = seq;
    } else if (fits('session', e)) {
      found.push({ role: 'session', entry: e });
      ctx.sessionStart = seq;
    } else if (ctx.sadIssueSeq >= 0 && !factorsDone && fits('factor', e)) {
      found.push({ role: 'factor', entry: e });
    } else if (!login && ctx.sessionStart < sig.seq && fits('login', e)) {
      found.push({ role: 'login', entry: e });
      login = true;
    } else if (!credential && fits('credential', e)) {
      found.push({ role: 'credential', entry: e });
      credential = true;
    }
    // The signer's previous authorisation attempt: older factors (the PIN names no credential) belong to it.
    if (ctx.sadIssueSeq > seq && e.event.actor === sig.actor && /^(sad|signature)\./.test(type)) factorsDone = true;
    if (login && credential && ctx.sadIssueSeq >= 0) break;
  }
  if (ctx.sadIssueSeq < 0) throw incomplete(sig, 'the sad.issue entry of its SAD was not found');
  if (!credential) throw incomplete(sig, 'no credential entry names its key and certificate');
  return found.reverse();
}

const incomplete = (sig: SignatureFacts, detail: string) =>
  new ShomeiError('evidence_incomplete', { id: String(sig.seq), detail });
