/**
 * The sender `auth.otp.sender` names. The file sender writes codes to disk in clear, so it is a
 * development tool only: production mode refuses it at start (DEP-3), and by default production has
 * no sender until SMTP is configured (OTP credentials then cannot be challenged, loudly).
 */
import { type Config, ConfigError } from '../../config/index.js';
import { createFileSender } from './file.js';
import type { OtpSender } from './sender.js';
import { createSmtpSender } from './smtp.js';

export function configuredOtpSender(config: Readonly<Config>): (OtpSender & { close?(): void }) | undefined {
  const o = config.auth.otp;
  const kind = o.sender || (config.mode === 'production' ? 'none' : 'file');
  if (kind === 'none') return undefined;
  if (kind === 'file') {
    if (config.mode === 'production') {
      throw new ConfigError('auth.otp.sender = "file" writes one-time codes to disk: development mode only');
    }
    return createFileSender(config.dataDir);
  }
  if (!o.smtp.host) throw new ConfigError('auth.otp.sender = "smtp" needs auth.otp.smtp.host');
  return createSmtpSender({ ...o.smtp, serviceName: config.service.name });
}
