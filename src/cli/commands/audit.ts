/**
 * `shomei audit verify | export | checkpoint` (LOG-2, LOG-4). verify needs only the log (the
 * database, or an export file) and the log's verifier key; pass the key you pinned with --key.
 */
import type { Command } from 'commander';
import { exportLog, type LogSource, readExport, storeSource, type VerifyReport, verifyLog } from '../../audit/index.js';
import { databaseUrl } from '../../config/index.js';
import { openStore } from '../../store/index.js';
import { configFrom, emit, globals, progress, withApp } from '../context.js';

type VerifyReportView = Omit<VerifyReport, 'problems'> & {
  readonly problems: ReadonlyArray<{ code: string; message: string; seq?: number; checkpoint?: number }>;
};

/** The same source, counting leaves as the verifier reads them. */
function withProgress(source: LogSource, label: string): { source: LogSource; done(): void } {
  const bar = progress(label);
  return {
    done: () => bar.done(),
    source: {
      checkpoints: () => source.checkpoints(),
      async *leaves() {
        for await (const page of source.leaves()) {
          bar.add(page.length);
          yield page;
        }
      },
    },
  };
}

/** The verifier's report for a person: what `audit verify` and `admin audit verify` print. */
export function describeReport(r: VerifyReportView, keySource: string): string {
  const head = r.ok
    ? `log OK: ${r.size} entries, ${r.checkpoints} signed checkpoints verified` +
      (r.pending > 0 ? `, ${r.pending} newer entries not yet covered by a checkpoint` : '')
    : `log FAILED verification: ${r.problems.length + r.omitted} problem(s)`;
  const problems = r.problems.map(
    (p) =>
      `  - ${p.code}${p.seq !== undefined ? ` at entry ${p.seq}` : ''}${p.checkpoint !== undefined ? ` (checkpoint ${p.checkpoint})` : ''}: ${p.message}`,
  );
  return [
    head,
    ...problems,
    ...(r.omitted > 0 ? [`  … and ${r.omitted} more`] : []),
    `(verifier key: ${keySource})`,
  ].join('\n');
}

export function auditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident signing log');
  audit
    .command('verify')
    .description('check every entry and signed checkpoint offline; exit 1 if anything was altered')
    .option('--export <file>', 'verify an export file instead of the database')
    .option('--key <verifierKey>', 'the log verifier key you trust (name+hash+key); default: this service’s own')
    .action(async (o: { export?: string; key?: string }, cmd: Command) => {
      const g = globals(cmd);
      const config = configFrom(g);
      let key = o.key;
      let keySource = 'given with --key';
      if (!key) {
        // Without a pinned key, take the service's own: fine for an operator's self-check, not for a third party.
        key = await withApp(g, async (app) => app.logVerifierKey);
        keySource = "this service's database (pin it and pass --key for an independent check)";
      }
      let source: LogSource;
      let close = async () => {};
      if (o.export) source = await readExport(o.export);
      else {
        const store = await openStore({ url: databaseUrl(config) });
        source = storeSource(store);
        close = () => store.close();
      }
      try {
        const counted = withProgress(source, 'entries verified');
        const report = await verifyLog(counted.source, key);
        counted.done();
        emit(g, report, () => describeReport(report, keySource));
        if (!report.ok) process.exitCode = 1;
      } finally {
        await close();
      }
    });
  audit
    .command('export <file>')
    .description('write the whole log (entries and signed checkpoints) to a JSON-lines file')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await withApp(g, async (app) => {
        await app.audit.checkpoint();
        const origin = app.logVerifierKey.split('+')[0] ?? '';
        return exportLog(app.store, file, { origin, verifierKey: app.logVerifierKey });
      });
      emit(g, { file, ...r }, () => `exported ${r.leaves} entries to ${file}`);
    });
  audit
    .command('checkpoint')
    .description('sign a checkpoint over every entry now')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const cp = await withApp(g, (app) => app.audit.checkpoint());
      emit(g, cp ?? null, () => cp?.note ?? 'the log is empty');
    });
}
