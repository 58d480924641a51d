/** SMTP sender (nodemailer) to the user's e-mail address in DB-1. */
import nodemailer from 'nodemailer';
import { ShomeiError } from '../../errors.js';
import type { OtpSender } from './sender.js';

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS; otherwise STARTTLS is required except towards a loopback host. */
  readonly secure: boolean;
  readonly user: string;
  readonly password: string;
  readonly from: string;
  /** The service name, in the subject. */
  readonly serviceName: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function createSmtpSender(s: SmtpSettings): OtpSender & { close(): void } {
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    // AUTH-2 eavesdropping: the code crosses the network in TLS unless the relay is on this machine.
    requireTLS: !s.secure && !LOOPBACK.has(s.host),
    ...(s.user ? { auth: { user: s.user, pass: s.password } } : {}),
  });
  return {
    name: 'smtp',
    needsEmail: true,
    async send(m) {
      if (!m.email) throw new ShomeiError('invalid_state', { detail: 'no e-mail address for one-time codes' });
      const minutes = Math.max(1, Math.round(m.ttlSeconds / 60));
      try {
        await transport.sendMail({
          from: s.from,
          to: m.email,
          subject: `${s.serviceName}: your signing code`,
          text: `Your one-time signing code is ${m.code}\nIt is valid for ${minutes} minute(s) and can be used once.\nIf you did not ask to sign anything, ignore this message.\n`,
        });
      } catch (e) {
        throw new ShomeiError('unavailable', {}, { cause: e });
      }
    },
    close: () => transport.close(),
  };
}
