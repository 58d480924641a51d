/**
 * `shomei evidence export | verify` (LOG-4): one signature's evidence bundle, written from the
 * service and checked offline with only the bundle, the log key and a trust anchor you pinned.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type EvidenceReport, exportEvidence, serializeBundle, verifyEvidence } from '../../evidence/index.js';
import { certificatesOf } from '../../validation/trust/index.js';
import { cliActor, emit, globals, withApp, writeAtomically } from '../context.js';

/** What `evidence verify` prints for a person. */
export function describeEvidence(r: EvidenceReport): string {
  const s = r.signature;
  const head = r.ok
    ? `evidence OK: signature entry ${String(s?.seq)} by ${String(s?.actor)} with credential ${String(s?.credentialID)} at ${String(s?.time)}`
    : `evidence FAILED verification: ${r.problems.length} problem(s)`;
  const lines = r.ok
    ? [
        `  ${r.entries.length} log entries (${r.entries.map((e) => e.type).join(', ')}) proven against checkpoint ` +
          `${r.checkpoint?.origin} size ${r.checkpoint?.size}`,
        `  revocation: ${r.revocation.map((x) => `${x.where} ${x.status}`).join(', ')}`,
      ]
    : r.problems.map((p) => `  - ${p.where}: ${p.message}`);
  const pins = [
    r.logKey === 'pinned'
      ? 'log key: given with --log-key'
      : "log key: the bundle's own (pass --log-key for an independent check)",
    r.anchor === 'pinned' ? 'anchor: given with --anchor' : "anchor: the chain's own root (pass --anchor to pin it)",
  ];
  return [head, ...lines, `(${pins.join('; ')})`].join('\n');
}

export function evidenceCommands(program: Command): void {
  const evidence = program.command('evidence').description('evidence bundles of single signatures (LOG-4)');
  evidence
    .command('export')
    .description("write one signature's log entries, proofs, checkpoint, chain and revocation data to a file")
    .requiredOption('--signature <id>', 'the signature.create entry: its log index (seq) or signatureSha256 (hex)')
    .requiredOption('--out <file>', 'the bundle file to write (JSON)')
    .action(async (o: { signature: string; out: string }, cmd: Command) => {
      const g = globals(cmd);
      const bundle = await withApp(g, (app) => exportEvidence(app, o.signature, { actor: cliActor() }));
      writeAtomically(o.out, serializeBundle(bundle));
      const result = { file: o.out, seq: bundle.signature.seq, entries: bundle.entries.length };
      emit(
        g,
        result,
        () => `evidence for signature entry ${result.seq} (${result.entries} log entries) written to ${o.out}`,
      );
    });
  evidence
    .command('verify <file>')
    .description('check a bundle offline; exit 1 and name the place if anything in it was altered')
    .option('--log-key <key>', 'the log verifier key you trust (name+hash+key)')
    .option('--anchor <file...>', 'trusted root certificate(s), PEM or DER')
    .action(async (file: string, o: { logKey?: string; anchor?: string[] }, cmd: Command) => {
      const g = globals(cmd);
      const anchors = o.anchor?.flatMap((f) => certificatesOf(readFileSync(f), f));
      const report = await verifyEvidence(readFileSync(file), {
        ...(o.logKey ? { logKey: o.logKey } : {}),
        ...(anchors ? { anchors } : {}),
      });
      emit(g, report, () => describeEvidence(report));
      if (!report.ok) process.exitCode = 1;
    });
}
