/**
 * Development sender: appends each code to `<dataDir>/otp-outbox.log` (0600), so a developer can
 * read it without a mail server. A code in a file is a secret at rest, so the composition root
 * refuses this sender in production mode.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OtpSender } from './sender.js';

export function createFileSender(dataDir: string): OtpSender & { readonly path: string } {
  const path = join(dataDir, 'otp-outbox.log');
  return {
    name: 'file',
    needsEmail: false,
    path,
    async send(m) {
      const line = `${new Date().toISOString()} user=${m.username} code=${m.code} valid=${m.ttlSeconds}s\n`;
      await appendFile(path, line, { mode: 0o600 });
    },
  };
}
