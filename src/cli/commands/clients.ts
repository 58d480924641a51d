/** `shomei client …`: OAuth2 clients of the authorisation server (csc-api-v2.md §3.4-§3.7). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ShomeiError } from '../../errors.js';
import type { JSONWebKeySet, OAuthClient } from '../../oauth/index.js';
import { cliActor, emit, globals, withApp } from '../context.js';

const line = (c: OAuthClient) =>
  `${c.id}  ${c.status.padEnd(8)} ${c.authMethod.padEnd(19)} ${c.name}  [${c.grantTypes.join(',')}] ${c.redirectUris.join(' ')}`;

const collect = (v: string, acc: string[]) => [...acc, v];

function readJwks(file: string): JSONWebKeySet {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet;
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'jwks' });
  }
}

export function clientCommands(program: Command): void {
  const client = program.command('client').description('OAuth2 clients (signature applications)');
  client
    .command('register')
    .description('register a client; a client secret is shown once and stored only as a verifier')
    .requiredOption('--name <name>', 'shown to signers on the consent page')
    .option('--redirect-uri <uri>', 'exact redirect URI (repeatable)', collect, [])
    .option('--auth <method>', 'client_secret_basic | private_key_jwt', 'client_secret_basic')
    .option('--jwks <file>', 'JWK Set of the client (private_key_jwt)')
    .option('--grant <type>', 'authorization_code | client_credentials | refresh_token (repeatable)', collect, [])
    .option('--user <user>', 'the account a client_credentials (e-seal) client acts for')
    .action(async (o: Record<string, string | string[] | undefined>, cmd: Command) => {
      const g = globals(cmd);
      const auth = o.auth as string;
      if (auth !== 'client_secret_basic' && auth !== 'private_key_jwt')
        throw new ShomeiError('invalid_parameter', { name: 'auth' });
      const r = await withApp(g, async (app) => {
        const ref = o.user as string | undefined;
        const user = ref ? ((await app.users.findByUsername(ref)) ?? (await app.users.get(ref))) : undefined;
        const grants = o.grant as string[];
        return app.oauth.clients.register(
          {
            name: o.name as string,
            redirectUris: o.redirectUri as string[],
            authMethod: auth,
            ...(o.jwks ? { jwks: readJwks(o.jwks as string) } : {}),
            ...(grants.length > 0 ? { grantTypes: grants } : {}),
            ...(user ? { serviceUserId: user.id } : {}),
          },
          cliActor(),
        );
      });
      emit(
        g,
        { ...r.client, ...(r.clientSecret ? { clientSecret: r.clientSecret } : {}) },
        () =>
          `registered ${line(r.client)}\nclient_id: ${r.client.id}` +
          (r.clientSecret ? `\nclient_secret: ${r.clientSecret}  (shown once; only a verifier is kept)` : ''),
      );
    });
  client.command('list').action(async (_o: unknown, cmd: Command) => {
    const g = globals(cmd);
    const clients = await withApp(g, (app) => app.oauth.clients.list());
    emit(g, clients, () => clients.map(line).join('\n') || '(no clients)');
  });
  client
    .command('disable <clientId>')
    .description('refuse the client at the token endpoint from now on')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const c = await withApp(g, (app) => app.oauth.clients.disable(id, cliActor()));
      emit(g, c, () => line(c));
    });
}
