/** `shomei user …` and `shomei enrol-code` (USER-1..5): registration officer and admin actions. */
import type { Command } from 'commander';
import { ShomeiError } from '../../errors.js';
import { ADMIN_ROLES, type User } from '../../users/index.js';
import { cliActor, emit, globals, withApp } from '../context.js';

const line = (u: User) => `${u.id}  ${u.username.padEnd(20)} ${u.status.padEnd(10)} ${u.displayName}`;

async function resolveUser(app: Parameters<Parameters<typeof withApp>[1]>[0], ref: string): Promise<User> {
  return (await app.users.findByUsername(ref)) ?? app.users.get(ref);
}

export interface RegistrationOptions {
  username: string;
  name: string;
  email?: string;
  proofingMethod: string;
  officer: string;
  documentRef: string;
}

/** `register` with the identity-proofing options (USER-3): here, and over the admin API (admin-remote.ts). */
export function registrationCommand(parent: Command): Command {
  return parent
    .command('register')
    .description('register a signer after identity proofing (USER-3)')
    .requiredOption('--username <name>')
    .requiredOption('--name <display name>')
    .option('--email <email>')
    .requiredOption('--proofing-method <method>', "e.g. 'in-person', 'remote-video', 'derived-credential'")
    .requiredOption('--officer <officer>', 'registration officer who checked the identity')
    .requiredOption('--document-ref <ref>', 'reference of the identity document or evidence');
}

export const registrationFrom = (o: RegistrationOptions) => ({
  username: o.username,
  displayName: o.name,
  ...(o.email ? { email: o.email } : {}),
  proofing: { method: o.proofingMethod, officer: o.officer, documentRef: o.documentRef },
});

export function userCommands(program: Command): void {
  const user = program.command('user').description('manage signers (DB-1)');
  registrationCommand(user).action(async (o: RegistrationOptions, cmd: Command) => {
    const g = globals(cmd);
    const u = await withApp(g, (app) => app.users.register(registrationFrom(o), cliActor()));
    emit(g, u, () => `registered ${line(u)}\nnext: shomei enrol-code ${u.username}`);
  });
  user.command('list').action(async (_o: unknown, cmd: Command) => {
    const g = globals(cmd);
    const users = await withApp(g, (app) => app.users.list());
    emit(g, users, () => users.map(line).join('\n') || '(no users)');
  });
  user.command('show <user>').action(async (ref: string, _o: unknown, cmd: Command) => {
    const g = globals(cmd);
    const u = await withApp(g, (app) => resolveUser(app, ref));
    emit(g, u, () => line(u));
  });
  const change = (
    name: string,
    desc: string,
    run: (app: Parameters<Parameters<typeof withApp>[1]>[0], id: string, reason: string) => Promise<unknown>,
  ) =>
    user
      .command(`${name} <user>`)
      .description(desc)
      .option('--reason <reason>', 'recorded in the log', 'not given')
      .action(async (ref: string, o: { reason: string }, cmd: Command) => {
        const g = globals(cmd);
        const u = await withApp(g, async (app) => {
          const target = await resolveUser(app, ref);
          await run(app, target.id, o.reason);
          return app.users.get(target.id);
        });
        emit(g, u, () => line(u));
      });
  change('suspend', 'suspend a signer (revokes tokens and SADs)', (app, id, r) => app.users.suspend(id, r, cliActor()));
  change('reinstate', 'reinstate a suspended signer', (app, id) => app.users.reinstate(id, cliActor()));
  change('terminate', 'terminate a signer for good (credentials disabled)', (app, id, r) =>
    app.users.terminate(id, r, cliActor()),
  );
  change('delete', 'terminate and remove personal data (the log keeps ids)', (app, id) =>
    app.users.delete(id, cliActor()),
  );

  user
    .command('set-email <user> <email>')
    .description('the address one-time signing codes are sent to (auth.otp.sender = smtp)')
    .action(async (ref: string, email: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new ShomeiError('invalid_parameter', { name: 'email' });
      const u = await withApp(g, async (app) => {
        const target = await resolveUser(app, ref);
        return app.users.update(target.id, { email }, cliActor());
      });
      emit(g, u, () => `${line(u)}  <${u.email}>`);
    });
  for (const grant of [true, false]) {
    user
      .command(`${grant ? 'grant' : 'revoke'}-role <user> <role>`)
      .description(
        `${grant ? 'give' : 'take away'} an admin API role (API-2): ${Object.keys(ADMIN_ROLES).join(' | ')}` +
          (grant ? '; the admin also needs TOTP (user totp-enrol) to sign in' : ''),
      )
      .action(async (ref: string, role: string, _o: unknown, cmd: Command) => {
        const g = globals(cmd);
        const u = await withApp(g, async (app) => {
          const target = await resolveUser(app, ref);
          const change = grant ? app.users.grantRole : app.users.revokeRole;
          await change(target.id, role, cliActor());
          return app.users.get(target.id);
        });
        emit(g, u, () => `${line(u)}  roles: ${u.roles.join(', ') || '(none)'}`);
      });
  }
  user
    .command('totp-enrol <user>')
    .description('new TOTP secret for a signer (replaces any older one); prints the otpauth:// URI once')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await withApp(g, async (app) => {
        const u = await resolveUser(app, ref);
        const { uri } = await app.factors.totp.enrol(u.id, u.username, cliActor());
        return { username: u.username, uri };
      });
      // No QR library is installed: the URI goes into the authenticator app as text, or through
      // any QR generator the operator trusts offline (it holds the secret: never a web service).
      emit(
        g,
        r,
        () =>
          `TOTP enrolled for ${r.username}. Add this to the authenticator app (it holds the secret; shown once):\n${r.uri}`,
      );
    });

  program
    .command('enrol-code <user>')
    .description('issue a one-time enrolment code (USER-4): shown once, single use, expiring')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await withApp(g, async (app) => {
        const u = await resolveUser(app, ref);
        const code = await app.users.issueEnrolmentCode(u.id, cliActor());
        return {
          username: u.username,
          code: code.code,
          expiresAt: new Date(code.expiresAt).toISOString(),
          enrolUrl: `${app.baseUrl}/enrol`,
        };
      });
      emit(
        g,
        r,
        () =>
          `enrolment code for ${r.username}: ${r.code}  (expires ${r.expiresAt}; POST it with a password and PIN to ${r.enrolUrl})`,
      );
    });
}
