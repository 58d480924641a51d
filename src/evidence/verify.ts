/**
 * `verifyEvidence` (LOG-4): checks a bundle offline, as a pipeline — shape → log key → signed
 * checkpoint → each entry's inclusion proof → the signature entry against the bundle's summary →
 * each entry's link to the signature → the certificate chain → the revocation data. It never
 * stops at the first problem and never throws for a bad bundle: every problem says where it is
 * (a JSON path such as `entries[2].proof`, or a byte offset when the JSON itself is broken).
 */
import { X509Certificate } from 'node:crypto';
import {
  type Checkpoint,
  decodeEntry,
  type LogEntry,
  leafHash,
  type NoteVerifierKey,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  verifyInclusion,
} from '../audit/index.js';
import { type EvidenceBundle, parseBundle } from './bundle.js';
import { checkChain, checkRevocation, type Report, type RevocationStatus } from './chain.js';
import { checkPath } from './path.js';
import { type CheckedEntry, checkEntries } from './verify-entries.js';

export interface VerifyEvidenceOptions {
  /** The log's verifier key you trust (C2SP note format); without it the bundle's own is used, unpinned. */
  readonly logKey?: string;
  /** Trust anchors (DER); without them the chain must end in a self-signed root, unpinned. */
  readonly anchors?: readonly Uint8Array[];
}

export interface EvidenceProblem {
  readonly where: string;
  readonly message: string;
}

export interface EvidenceReport {
  readonly ok: boolean;
  readonly problems: readonly EvidenceProblem[];
  readonly logKey: 'pinned' | 'unpinned';
  readonly anchor: 'pinned' | 'unpinned';
  readonly checkpoint?: { readonly origin: string; readonly size: number; readonly time: number };
  readonly signature?: Readonly<Record<string, unknown>>;
  readonly entries: ReadonlyArray<{ readonly role: string; readonly seq: number; readonly type: string }>;
  readonly revocation: readonly RevocationStatus[];
}

/** Base64 that decodes and re-encodes to itself (no ignored bits or characters). */
function strictBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

export async function verifyEvidence(
  input: string | Uint8Array,
  opts: VerifyEvidenceOptions = {},
): Promise<EvidenceReport> {
  const problems: EvidenceProblem[] = [];
  const report = (where: string, message: string) => problems.push({ where, message });
  const base = { logKey: opts.logKey ? 'pinned' : 'unpinned', anchor: opts.anchors ? 'pinned' : 'unpinned' } as const;
  const parsed = parseBundle(input);
  if (!parsed.ok)
    return {
      ok: false,
      problems: [{ where: parsed.where, message: parsed.message }],
      ...base,
      entries: [],
      revocation: [],
    };
  const b = parsed.bundle;
  const bytes = (text: string, where: string) => {
    const out = strictBase64(text);
    if (!out) report(where, 'is not canonical base64');
    return out;
  };

  const cp = checkpointOf(b, opts.logKey, report);
  const entries = includedEntries(b, cp, bytes, report);
  const certs = b.certificates.flatMap((c, i) => {
    const der = bytes(c, `certificates[${i}]`);
    try {
      return der ? [new X509Certificate(der)] : [];
    } catch {
      report(`certificates[${i}]`, 'is not an X.509 certificate');
      return [];
    }
  });
  const complete = certs.length === b.certificates.length;
  const facts = checkEntries(b, entries, complete ? certs[0] : undefined, report);
  const revocation: RevocationStatus[] = [];
  if (complete && facts) {
    const anchors = opts.anchors?.map((a) => new X509Certificate(Buffer.from(a)));
    checkChain(certs, anchors, facts.time, report);
    const times = { now: cp?.time ?? facts.time, signedAt: facts.time };
    revocation.push(...(await revocationOf(b, certs, times, bytes, report)));
    if (!revocation.some((r) => r.cert === 0)) report('revocation', 'no valid revocation data for certificates[0]');
    // The full RFC 5280 algorithm once the places are clean (its verdict names no single field).
    if (problems.length === 0) await checkPath(certs, opts.anchors, decoded(b), times.signedAt, report);
  }
  return {
    ok: problems.length === 0,
    problems,
    ...base,
    ...(cp ? { checkpoint: { origin: cp.origin, size: cp.size, time: cp.time } } : {}),
    ...(facts ? { signature: facts.summary } : {}),
    entries: entries.map((e) => ({ role: e.role, seq: e.entry.seq, type: String(e.entry.event.type) })),
    revocation,
  };
}

function checkpointOf(
  b: EvidenceBundle,
  pinned: string | undefined,
  report: (w: string, m: string) => void,
): Checkpoint | undefined {
  if (pinned !== undefined && pinned !== b.log.verifierKey)
    report('log.verifierKey', 'is not the log key given to the verifier');
  if (!strictBase64(b.log.verifierKey.split('+').slice(2).join('+')))
    report('log.verifierKey', 'is not canonical base64');
  let key: NoteVerifierKey;
  try {
    key = parseVerifierKey(pinned ?? b.log.verifierKey);
  } catch (e) {
    report(pinned !== undefined ? 'options.logKey' : 'log.verifierKey', (e as Error).message);
    return undefined;
  }
  // openNote decodes signatures leniently; a changed unused bit in the base64 must still count.
  const note = b.log.checkpoint;
  const lines = note.slice(note.lastIndexOf('\n\n') + 2, -1).split('\n');
  if (lines.some((l) => !strictBase64(l.slice(l.lastIndexOf(' ') + 1)))) {
    report('log.checkpoint', 'a signature line is not canonical base64');
    return undefined;
  }
  try {
    return parseCheckpoint(openNote(note, key));
  } catch (e) {
    report('log.checkpoint', `${(e as Error).message} (checkpoint signature or text)`);
    return undefined;
  }
}

/** Each entry decoded and proven to be in the checkpoint's tree at its seq. */
function includedEntries(
  b: EvidenceBundle,
  cp: Checkpoint | undefined,
  bytes: (text: string, where: string) => Buffer | undefined,
  report: (w: string, m: string) => void,
): CheckedEntry[] {
  const out: CheckedEntry[] = [];
  const seen = new Set<number>();
  b.entries.forEach((e, i) => {
    const where = `entries[${i}]`;
    if (seen.has(e.seq)) report(`${where}.seq`, `seq ${e.seq} appears twice`);
    seen.add(e.seq);
    const data = bytes(e.data, `${where}.data`);
    const proof = e.proof.map((p, j) => bytes(p, `${where}.proof[${j}]`));
    if (!data || proof.some((p) => !p)) return;
    let entry: LogEntry;
    try {
      entry = decodeEntry(data);
    } catch {
      report(`${where}.data`, 'is not a log entry');
      return;
    }
    if (entry.seq !== e.seq) report(`${where}.seq`, `is ${e.seq} but the entry data says ${entry.seq}`);
    else if (cp && !verifyInclusion(leafHash(data), e.seq, cp.size, proof as Buffer[], cp.root)) {
      report(
        where,
        `(seq ${e.seq}, ${String(entry.event.type)}): its data or inclusion proof does not match the checkpoint root`,
      );
    }
    out.push({ role: e.role, index: i, entry });
  });
  return out;
}

async function revocationOf(
  b: EvidenceBundle,
  certs: readonly X509Certificate[],
  times: { readonly now: number; readonly signedAt: number },
  bytes: (text: string, where: string) => Buffer | undefined,
  report: Report,
): Promise<RevocationStatus[]> {
  const out: RevocationStatus[] = [];
  for (const kind of ['ocsp', 'crls'] as const) {
    for (const [i, item] of b.revocation[kind].entries()) {
      const where = `revocation.${kind}[${i}]`;
      const der = bytes(item.der, `${where}.der`);
      if (!der) continue;
      const status = await checkRevocation(kind, { cert: item.cert, der }, where, certs, times, report).catch(() => {
        report(where, 'cannot be read');
        return undefined;
      });
      if (status) out.push(status);
    }
  }
  return out;
}

const decoded = (b: EvidenceBundle) => ({
  ocsp: b.revocation.ocsp.map((r) => Buffer.from(r.der, 'base64')),
  crls: b.revocation.crls.map((r) => Buffer.from(r.der, 'base64')),
});
