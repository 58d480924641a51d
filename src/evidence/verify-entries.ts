/**
 * The entry checks of verifyEvidence (LOG-4): one signature entry, matching the bundle's summary;
 * the SAD it spent issued in the bundle; and every other entry tied to it by its role's link rule
 * (links.ts), the credential entry binding certificates[0] by serial, and the export entry binding
 * every certificate and revocation blob by its SHA-256.
 */
import type { X509Certificate } from 'node:crypto';
import type { LogEntry } from '../audit/index.js';
import { blobDigests, type EntryRole, type EvidenceBundle } from './bundle.js';
import { checkLink, EXPORT_EVENT, type LinkContext, signatureFacts } from './links.js';

export interface CheckedEntry {
  readonly role: EntryRole;
  /** Position in the bundle's `entries`. */
  readonly index: number;
  readonly entry: LogEntry;
}

type Report = (where: string, message: string) => void;

/** The hex serial as the CA logs it (src/keys/certificates.ts): lower case, no sign-padding octet. */
const serialOf = (c: X509Certificate) => c.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, '');

const SUMMARY = ['signatureSha256', 'hashAlgorithmOID', 'hash', 'documentHash'] as const;

export function checkEntries(
  b: EvidenceBundle,
  entries: readonly CheckedEntry[],
  ee: X509Certificate | undefined,
  report: Report,
): { readonly time: number; readonly summary: Record<string, unknown> } | undefined {
  const signatures = entries.filter((e) => e.role === 'signature');
  if (signatures.length !== 1) {
    // Name the entry whose role was changed: the signature.create one not marked, or the extra ones.
    const suspects = signatures.length
      ? signatures.filter((e) => e.entry.seq !== b.signature.seq)
      : entries.filter((e) => e.entry.event.type === 'signature.create');
    for (const e of suspects) report(`entries[${e.index}].role`, `is ${e.role}; the bundle needs one signature entry`);
    if (suspects.length === 0) report('entries', `expected one signature entry, found ${signatures.length}`);
    return undefined;
  }
  const s = signatures[0] as CheckedEntry;
  const sig = signatureFacts(s.entry);
  if (typeof sig === 'string') {
    report(`entries[${s.index}]`, sig);
    return undefined;
  }
  const v = s.entry.event;
  if (b.signature.seq !== s.entry.seq)
    report('signature.seq', `is ${b.signature.seq}, the signature entry's ${s.entry.seq}`);
  for (const name of SUMMARY) {
    if (b.signature[name] !== v[name]) report(`signature.${name}`, 'does not match the signature entry');
  }
  checkBlobs(b, entries, report);
  const sadIssue = entries.find((e) => e.role === 'sad' && e.entry.event.type === 'sad.issue');
  if (!sadIssue) report('entries', `no sad.issue entry for SAD ${sig.sadId}`);
  if (!entries.some((e) => e.role === 'credential')) {
    report('entries', 'no credential entry binds certificates[0] to the credential');
  }
  const sessions = entries.filter((e) => e.role === 'session').map((e) => e.entry.seq);
  const ctx: LinkContext = {
    sig,
    certificateSerial: ee ? serialOf(ee) : '',
    sadIssueSeq: sadIssue?.entry.seq ?? -1,
    sessionStart: Math.min(sig.seq, ...sessions),
  };
  for (const e of entries) {
    if (e.role === 'credential' && !ee) continue; // certificates[0] is already reported
    const why = checkLink(e.role, e.entry, ctx);
    if (why) report(`entries[${e.index}]`, `(${e.role}, seq ${e.entry.seq}, ${String(e.entry.event.type)}) ${why}`);
  }
  const summary = {
    seq: s.entry.seq,
    time: new Date(s.entry.time).toISOString(),
    actor: sig.actor,
    credentialID: sig.credentialID,
    signAlgo: v.signAlgo,
    ...Object.fromEntries(SUMMARY.filter((n) => v[n] !== undefined).map((n) => [n, v[n]])),
  };
  return { time: s.entry.time, summary };
}

/** Every certificate and revocation blob is the one the export entry logged, at the same place. */
function checkBlobs(b: EvidenceBundle, entries: readonly CheckedEntry[], report: Report): void {
  const exports = entries.filter((e) => e.role === 'export');
  if (exports.length !== 1) {
    const suspects = entries.filter((e) => e.role !== 'export' && e.entry.event.type === EXPORT_EVENT);
    for (const e of suspects) report(`entries[${e.index}].role`, `is ${e.role}; the bundle needs one export entry`);
    if (suspects.length === 0) report('entries', `expected one export entry, found ${exports.length}`);
    return;
  }
  const logged = (exports[0] as CheckedEntry).entry.event;
  const have = blobDigests(b);
  const places = {
    certificates: (i: number) => `certificates[${i}]`,
    ocsp: (i: number) => `revocation.ocsp[${i}]`,
    crls: (i: number) => `revocation.crls[${i}]`,
  };
  for (const kind of ['certificates', 'ocsp', 'crls'] as const) {
    const want = Array.isArray(logged[kind]) ? (logged[kind] as readonly string[]) : [];
    if (want.length !== have[kind].length)
      report(places[kind](want.length).replace(/\[\d+\]$/, ''), 'count differs from the export entry');
    have[kind].forEach((d, i) => {
      if (d !== want[i]) report(places[kind](i), 'is not what the export entry logged (SHA-256 differs)');
    });
  }
}
