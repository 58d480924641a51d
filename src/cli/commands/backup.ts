/**
 * `shomei backup …` (BACKUP-1, BACKUP-2). Secrets never come from the command line (visible in
 * `ps` and shell history): a passphrase comes from --passphrase-file or SHOMEI_BACKUP_PASSPHRASE,
 * custodian shares from --share (each custodian types their own) or --shares-file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { backupSigner, createBackup, restoreBackup, restoreSigner } from '../../backup/index.js';
import { ShomeiError } from '../../errors.js';
import { cliActor, configFrom, emit, globals, withApp } from '../context.js';

function passphrase(file: string | undefined): string {
  const p = file ? readFileSync(file, 'utf8').replace(/\r?\n$/, '') : process.env.SHOMEI_BACKUP_PASSPHRASE;
  if (!p)
    throw new ShomeiError('invalid_parameter', {
      name: 'passphrase (use --passphrase-file or SHOMEI_BACKUP_PASSPHRASE)',
    });
  return p;
}

function shares(o: { share?: string[]; sharesFile?: string }): string[] {
  const fromFile = o.sharesFile
    ? readFileSync(o.sharesFile, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
  return [...(o.share ?? []), ...fromFile];
}

const collect = (v: string, acc: string[] = []) => [...acc, v];

export function backupCommands(program: Command): void {
  const backup = program.command('backup').description('signer backups and disaster-recovery snapshots');
  backup
    .command('signer')
    .description("seal a signer's keys and certificates under a passphrase only the signer knows")
    .requiredOption('--user <username>')
    .requiredOption('--out <file>')
    .option('--passphrase-file <file>')
    .action(async (o: { user: string; out: string; passphraseFile?: string }, cmd: Command) => {
      const g = globals(cmd);
      const sealed = await withApp(g, (app) => backupSigner(app, o.user, passphrase(o.passphraseFile), cliActor()));
      writeFileSync(o.out, sealed, { mode: 0o600 });
      emit(g, { file: o.out }, () => `signer backup written to ${o.out}`);
    });
  backup
    .command('restore-signer <file>')
    .description("re-import a signer backup (the signer's passphrase is needed)")
    .option('--passphrase-file <file>')
    .action(async (file: string, o: { passphraseFile?: string }, cmd: Command) => {
      const g = globals(cmd);
      const sealed = readFileSync(file, 'utf8');
      const ids = await withApp(g, (app) => restoreSigner(app, sealed, passphrase(o.passphraseFile), cliActor()));
      emit(g, { credentials: ids }, () => `restored credentials: ${ids.join(', ')}`);
    });
  backup
    .command('create')
    .description('snapshot DB-1, DB-2, the log and the KEK, sealed; the key split M-of-N among custodians')
    .requiredOption('--out <file>')
    .option('--threshold <m>', 'shares needed to restore', '3')
    .option('--custodians <n>', 'shares made', '5')
    .action(async (o: { out: string; threshold: string; custodians: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await withApp(g, (app) =>
        createBackup(app, o.out, Number(o.threshold), Number(o.custodians), cliActor()),
      );
      emit(g, { file: r.file, shares: r.shares, manifest: r.manifest }, () =>
        [
          `snapshot written to ${r.file}; give each custodian one share (any ${o.threshold} restore it):`,
          ...r.shares,
        ].join('\n'),
      );
    });
  backup
    .command('restore <file>')
    .description('restore a snapshot into the data directory with M custodian shares')
    .option('--share <share>', 'one custodian share (repeat)', collect)
    .option('--shares-file <file>', 'one share per line')
    .option('--force', 'move an existing database aside instead of refusing')
    .action(async (file: string, o: { share?: string[]; sharesFile?: string; force?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const config = configFrom(g);
      const m = await restoreBackup(file, shares(o), config.dataDir, {
        force: o.force === true,
        now: new Date(),
        ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      });
      emit(
        g,
        m,
        () => `restored ${m.files.map((f) => f.name).join(', ')} into ${config.dataDir} (log size ${m.meta.logSize})`,
      );
    });
}
