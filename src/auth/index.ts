/**
 * ① User authentication (SPEC.md AUTH-1..5): who is calling (bearer tokens, issued after a login
 * factor) and what they may sign (Signature Activation Data). Factors live in `factors/`; the token
 * service does not care which one was used, so OAuth2 and further factors plug in beside them.
 */
export type { AdminGrant, AdminLogin, AdminLoginDeps } from './admin-login.js';
export { ADMIN_CLIENT_ID, ADMIN_SCOPE, createAdminLogin } from './admin-login.js';
export type { BasicCredentials } from './basic.js';
export { parseBasicAuthorization } from './basic.js';
export type { FactorKey } from './factors/factor-key.js';
export { FACTOR_KEY_FILE, factorKeyFrom, loadFactorKey } from './factors/factor-key.js';
export type { OtpFactor, OtpFactorDeps } from './factors/otp.js';
export { createOtpFactor } from './factors/otp.js';
export type { PinFactor, PinFactorDeps } from './factors/pin.js';
export { createPinFactor } from './factors/pin.js';
export type { TotpEnrolment, TotpFactor, TotpFactorDeps } from './factors/totp.js';
export { createTotpFactor, TOTP_DIGITS, TOTP_PERIOD } from './factors/totp.js';
export type {
  AuthenticationResponseJSON,
  RegistrationResponseJSON,
  WebAuthnDeps,
  WebAuthnFactor,
} from './factors/webauthn.js';
export { createWebAuthnFactor } from './factors/webauthn.js';
export type { Factor, LockoutPolicy } from './lockout.js';
export { backoffMs } from './lockout.js';
export type { BasicLogin, Login, LoginDeps, PasswordContext } from './login.js';
export { createLogin, SERVICE_SCOPE } from './login.js';
export type { OtpMessage, OtpSender } from './otp-senders/index.js';
export { configuredOtpSender } from './otp-senders/index.js';
export type { Principal, TokenGrant } from './principal.js';
export { revokeUserAccess } from './revoke-user.js';
export type { SadDeps, SadGrant, SadRequest, SadService, SadSpendRequest, SignatureActivationData } from './sad.js';
export { createSadService } from './sad.js';
export type { IssueRequest, TokenService, TokensDeps, TokenTypeHint } from './tokens.js';
export { createTokens } from './tokens.js';
