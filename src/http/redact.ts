/**
 * Paths pino removes from every log line. Secrets never reach a log (DEVELOPERS.md 5): PINs, OTPs,
 * passwords, tokens, SADs and authData values; `clientData` may hold personal data (§1).
 */
const secretFields = [
  'authorization',
  'password',
  'pin',
  'PIN',
  'otp',
  'OTP',
  'totp',
  'TOTP',
  'secret',
  'SAD',
  'sad',
  'token',
  'access_token',
  'refresh_token',
  'authData',
  'code',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'clientData',
  'kek',
  'kekNext',
];

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...secretFields.map((f) => `*.${f}`),
  ...secretFields.map((f) => `*.*.${f}`),
];
