/** `shomei serve` (and `npm start`): start the service; on first start, create the demo signer. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { demoExists, ensureDemo } from '../../admin/index.js';
import { buildApp } from '../../app.js';
import { insecureSettings, refusals } from '../../config/index.js';
import { CSC_BASE_PATH } from '../../csc/index.js';
import { KEK_NEXT_FILE } from '../../keys/index.js';
import { cliActor, configFrom, globals } from '../context.js';
import { howToSign } from './demo.js';

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run the service (CSC API v2 under /csc/v2)')
    .option('--port <port>', 'listen port (SHOMEI_PORT)')
    .option('--host <host>', 'listen address (SHOMEI_HOST)')
    .option('--no-demo', 'do not create the demo signer on first start')
    .action(async (opts: { port?: string; host?: string; demo: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const http = { ...(opts.port ? { port: Number(opts.port) } : {}), ...(opts.host ? { host: opts.host } : {}) };
      const config = configFrom(g, Object.keys(http).length > 0 ? { http } : {});
      const refused = refusals(config);
      if (refused.length > 0) throw new Error(`refusing to start:\n  ${refused.join('\n  ')}`);
      for (const w of insecureSettings(config)) process.stderr.write(`\n  !!! WARNING: ${w}\n`);
      if (config.keystore.kind === 'software' && existsSync(join(config.dataDir, KEK_NEXT_FILE))) {
        process.stderr.write(
          '\n  !!! WARNING: a KEK rotation is unfinished: run `shomei key rotate-kek` to finish it.\n',
        );
      }
      const app = await buildApp(config);
      await app.ca.ensure();
      const firstStart = opts.demo && !(await demoExists(app));
      const demo = firstStart ? await ensureDemo(app, cliActor()) : undefined;
      app.start();
      await app.http.listen({ host: config.http.host, port: config.http.port });
      const url = app.baseUrl;
      process.stdout.write(
        `\nshomei is listening on ${url}  (CSC API: ${url}${CSC_BASE_PATH}, OpenAPI: ${url}/openapi.json)\n`,
      );
      process.stdout.write(`data: ${config.dataDir}   log verifier key: ${app.logVerifierKey}\n`);
      if (demo) process.stdout.write(`\n${howToSign(demo)}\n`);
      else process.stdout.write('\nDemo signer credentials: run `npx shomei demo` (new password and PIN each time).\n');
      const stop = async () => {
        await app.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
