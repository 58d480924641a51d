/** `shomei demo [--json]`: the demo signer's URL, username, fresh password and PIN, credential ids. */
import type { Command } from 'commander';
import { type DemoInfo, ensureDemo } from '../../admin/index.js';
import { cliActor, emit, globals, withApp } from '../context.js';

export function howToSign(d: DemoInfo): string {
  const api = `${d.url}/csc/v2`;
  return [
    'Demo signer (a new password and PIN are set each time this is shown):',
    `  username ${d.username}   password ${d.password}   PIN ${d.pin}`,
    `  credentials: RSA-2048 ${d.credentials.rsa2048}   RSA-PSS ${d.credentials.rsaPss}   ECDSA P-256 ${d.credentials.p256}`,
    '',
    'Make a first signature:',
    `  TOKEN=$(curl -s -u '${d.username}:${d.password}' -X POST ${api}/auth/login -H 'content-type: application/json' -d '{}' | jq -r .access_token)`,
    `  HASH=$(printf 'hello' | openssl dgst -sha256 -binary | base64)`,
    `  SAD=$(curl -s ${api}/credentials/authorize -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"credentialID":"${d.credentials.p256}","numSignatures":1,"hashes":["'$HASH'"],"hashAlgorithmOID":"2.16.840.1.101.3.4.2.1","authData":[{"id":"PIN","value":"${d.pin}"}]}' | jq -r .SAD)`,
    `  curl -s ${api}/signatures/signHash -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"credentialID":"${d.credentials.p256}","SAD":"'$SAD'","hashes":["'$HASH'"],"signAlgo":"1.2.840.10045.4.3.2"}'`,
    'See README.md for verifying it with openssl.',
  ].join('\n');
}

export function demoCommand(program: Command): void {
  program
    .command('demo')
    .description('create the demo signer if needed and print how to sign with it (new password and PIN)')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const info = await withApp(g, (app) => ensureDemo(app, cliActor()));
      emit(g, info, () => howToSign(info));
    });
}
