/** The `shomei` command (CLI-1). Every command takes --json; configuration as in config/. */
import { Command } from 'commander';
import { VERSION } from '../version.js';
import { adminRemoteCommands } from './commands/admin-remote.js';
import { auditCommands } from './commands/audit.js';
import { backupCommands } from './commands/backup.js';
import { caCommands } from './commands/ca.js';
import { clientCommands } from './commands/clients.js';
import { credentialCommands } from './commands/credentials.js';
import { demoCommand } from './commands/demo.js';
import { evidenceCommands } from './commands/evidence.js';
import { initCommand } from './commands/init.js';
import { keyCommands } from './commands/keys.js';
import { serveCommand } from './commands/serve.js';
import { signCommand } from './commands/sign.js';
import { userCommands } from './commands/users.js';
import { verifyCommand } from './commands/verify.js';
import { fatal } from './context.js';

const program = new Command('shomei')
  .version(VERSION)
  .description('shomei: self-hosted remote signing service (CSC API v2)')
  .option('--config <file>', 'JSON configuration file (SHOMEI_CONFIG)')
  .option('--data-dir <dir>', 'data directory (SHOMEI_DATA_DIR, default ./data)')
  .option('--database-url <url>', 'postgres://… (SHOMEI_DATABASE_URL); default SQLite in the data directory')
  .option('--json', 'machine-readable output')
  .showHelpAfterError();

initCommand(program);
serveCommand(program);
demoCommand(program);
userCommands(program);
credentialCommands(program);
caCommands(program);
keyCommands(program);
auditCommands(program);
evidenceCommands(program);
backupCommands(program);
clientCommands(program);
adminRemoteCommands(program);
signCommand(program);
verifyCommand(program);

program.parseAsync(process.argv).catch(fatal);
