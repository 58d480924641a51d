/**
 * Where out-of-band OTP codes go (credentials/getChallenge): a small pluggable sender. The code
 * leaves the service only through `send`; it is never logged.
 */

export { configuredOtpSender } from './configure.js';
export { createFileSender } from './file.js';
export type { OtpMessage, OtpSender } from './sender.js';
export { createSmtpSender, type SmtpSettings } from './smtp.js';
