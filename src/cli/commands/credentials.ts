/** `shomei credential …`: signing credentials = key + certificate + DB-1 mapping (KEY-3). */
import type { Command } from 'commander';
import { createSigningCredential, credentialAdminDeps } from '../../admin/index.js';
import type { Credential } from '../../users/index.js';
import { cliActor, emit, globals, withApp } from '../context.js';

const line = (c: Credential) =>
  `${c.id}  ${c.status.padEnd(9)} SCAL${c.scal} multisign=${String(c.multisign).padEnd(5)} ${c.description}`;

export function credentialCommands(program: Command): void {
  const cred = program.command('credential').description('manage signing credentials');
  cred
    .command('create')
    .description('generate a key, certify it with the local CA and give it to a signer')
    .requiredOption('--user <user>', 'username or id')
    .option('--key-type <type>', 'RSA-2048 | RSA-3072 | RSA-4096 | EC-P256 | EC-P384 | EC-P521', 'EC-P256')
    .option('--scal <1|2>', 'SCAL2 binds SADs to hashes', '1')
    .option('--multisign <n>', 'maximum signatures per authorisation', '1')
    .option('--description <text>')
    .option('--subject <dn>', 'certificate subject (RFC 4514)')
    .option('--validity-days <n>', 'certificate validity', '365')
    .action(async (o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const c = await withApp(g, async (app) => {
        await app.ca.ensure();
        const user = (await app.users.findByUsername(o.user as string)) ?? (await app.users.get(o.user as string));
        return createSigningCredential(
          credentialAdminDeps(app),
          {
            userId: user.id,
            keyType: o.keyType as string,
            scal: o.scal === '2' ? '2' : '1',
            multisign: Number(o.multisign),
            validityDays: Number(o.validityDays),
            ...(o.description ? { description: o.description } : {}),
            ...(o.subject ? { subjectDn: o.subject } : {}),
          },
          cliActor(),
        );
      });
      emit(g, c, () => line(c));
    });
  cred
    .command('list')
    .requiredOption('--user <user>', 'username or id')
    .action(async (o: { user: string }, cmd: Command) => {
      const g = globals(cmd);
      const list = await withApp(g, async (app) => {
        const user = (await app.users.findByUsername(o.user)) ?? (await app.users.get(o.user));
        return app.users.listCredentials(user.id);
      });
      emit(g, list, () => list.map(line).join('\n') || '(no credentials)');
    });
  for (const status of ['enabled', 'disabled'] as const) {
    cred
      .command(`${status === 'enabled' ? 'enable' : 'disable'} <credentialID>`)
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const g = globals(cmd);
        const c = await withApp(g, (app) => app.users.setCredentialStatus(id, status, cliActor()));
        emit(g, c, () => line(c));
      });
  }
}
