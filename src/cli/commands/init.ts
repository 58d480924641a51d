/** `shomei init`: create the data directory, database, KEK, log key and local CA (idempotent). */
import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { databaseUrl } from '../../config/index.js';
import { emit, globals, withApp } from '../context.js';

export function initCommand(program: Command): void {
  program
    .command('init')
    .description('initialise the data directory (also done on first `serve`)')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await withApp(g, async (app) => {
        const root = await app.ca.ensure();
        return {
          dataDir: app.config.dataDir,
          database: app.store.dialect === 'sqlite' ? databaseUrl(app.config) : 'postgresql',
          logVerifierKey: app.logVerifierKey,
          caSubject: root.subjectDn,
          caSha256: createHash('sha256').update(root.certificate).digest('hex'),
        };
      });
      emit(g, r, () =>
        [
          `data directory  ${r.dataDir}`,
          `database        ${r.database}`,
          `log key         ${r.logVerifierKey}`,
          `local CA        ${r.caSubject}`,
          `CA SHA-256      ${r.caSha256}`,
        ].join('\n'),
      );
    });
}
