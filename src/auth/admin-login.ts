/**
 * The admin API's own login (API-2) at AUTH-4 level 3: the password (login.ts's one check, with its
 * lockout) and a TOTP code (factors/totp.ts, with its replay refusal and lockout). The result is an
 * ordinary access token with scope 'admin', the level it was earned at, short-lived and without a
 * refresh token. Level 4 admin tokens come from the RSSP's page (WebAuthn) with the same scope.
 *
 * No enumeration (AUTH-2): a wrong password, a user without any role, without TOTP enrolled or with
 * a wrong code all get the one `authentication_error`; the log says which (`admin.login`, reason).
 * Roles are checked before the code, so a signer's TOTP attempts are not spent on a door they cannot open.
 */
import type { AuditSink } from '../audit/event.js';
import { isShomeiError, ShomeiError } from '../errors.js';
import type { Random } from '../platform/index.js';
import type { TotpFactor } from './factors/totp.js';
import type { Login } from './login.js';
import type { TokenGrant } from './principal.js';
import type { TokenService } from './tokens.js';

/** The scope of every admin token, whatever factor produced it. */
export const ADMIN_SCOPE = 'admin';
/** The client id admin tokens from this login carry (the CLI and any script using the admin API). */
export const ADMIN_CLIENT_ID = 'shomei-admin';
/** AUTH-4: password + TOTP. */
const PASSWORD_AND_TOTP = 3;

/** Why the TOTP step refused, for the log (the factor logs its own detail as `auth.totp`). */
const TOTP_REFUSALS: Readonly<Record<string, string>> = {
  invalid_state: 'totp_not_enrolled',
  credential_locked: 'totp_locked',
  invalid_otp: 'totp_wrong',
};

export interface AdminLoginDeps {
  readonly login: Pick<Login, 'verifyPassword'>;
  readonly totp: Pick<TotpFactor, 'verifyTotp'>;
  readonly rolesOf: (userId: string) => Promise<readonly string[]>;
  readonly tokens: Pick<TokenService, 'issue'>;
  readonly audit: AuditSink;
  /** admin.requiredLevel: at 4 this login is closed (a security key on the RSSP page is needed). */
  readonly requiredLevel: number;
  readonly tokenTtlSeconds: number;
  readonly random: Random;
  /** Spends a code from the RSSP's security-key sign-in (oauth/first-party.ts). */
  redeemAdminCode(req: AdminCodeLogin & { readonly sessionId: string }): Promise<{ userId: string; level: number }>;
}

export interface AdminCodeLogin {
  readonly code: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

export interface AdminGrant extends TokenGrant {
  readonly level: number;
  readonly userId: string;
}

export interface AdminLogin {
  login(authorization: string | undefined, totpCode: string): Promise<AdminGrant>;
  /** Level 4: the code the RSSP's page sent to the command line's loopback address after a security key. */
  loginWithCode(req: AdminCodeLogin): Promise<AdminGrant>;
}

export function createAdminLogin(deps: AdminLoginDeps): AdminLogin {
  const { audit } = deps;
  const log = (outcome: 'success' | 'failure', actor: string, extra: Record<string, string | number | null>) =>
    audit.append({ type: 'admin.login', actor, outcome, clientId: ADMIN_CLIENT_ID, ...extra });

  const refuse = async (userId: string, reason: string): Promise<never> => {
    await log('failure', userId, { userId, reason });
    throw new ShomeiError('authentication_error');
  };

  async function login(authorization: string | undefined, totpCode: string): Promise<AdminGrant> {
    if (deps.requiredLevel > PASSWORD_AND_TOTP) {
      // Before any secret is checked: this door is closed for everyone, so it tells nobody anything.
      await log('failure', 'anonymous', { reason: 'security_key_required', requiredLevel: deps.requiredLevel });
      throw new ShomeiError('admin_security_key_required');
    }
    const userId = await deps.login.verifyPassword(authorization, { event: 'admin.login', clientId: ADMIN_CLIENT_ID });
    const roles = await deps.rolesOf(userId);
    if (roles.length === 0) return refuse(userId, 'no_role');
    try {
      await deps.totp.verifyTotp(userId, totpCode);
    } catch (e) {
      const reason = isShomeiError(e) ? TOTP_REFUSALS[e.code] : undefined;
      if (reason === undefined) throw e;
      return refuse(userId, reason);
    }
    await log('success', userId, { userId, roles: roles.join(','), level: PASSWORD_AND_TOTP, method: 'totp' });
    return issueAdminToken(userId, PASSWORD_AND_TOTP, deps.random.uuid());
  }

  /** Short-lived, no refresh token, scope admin, the level it was earned at. */
  async function issueAdminToken(userId: string, level: number, sessionId: string): Promise<AdminGrant> {
    const grant = await deps.tokens.issue({
      userId,
      clientId: ADMIN_CLIENT_ID,
      scope: ADMIN_SCOPE,
      rememberMe: false,
      ttlSeconds: deps.tokenTtlSeconds,
      level,
      sessionId,
    });
    return { ...grant, level, userId };
  }

  async function loginWithCode(req: AdminCodeLogin): Promise<AdminGrant> {
    const sessionId = deps.random.uuid();
    // Refusals of the code itself are logged by the code store (oauth.code.redeem).
    const { userId, level } = await deps.redeemAdminCode({ ...req, sessionId });
    const roles = await deps.rolesOf(userId);
    if (roles.length === 0) return refuse(userId, 'no_role');
    if (level < deps.requiredLevel) return refuse(userId, 'level_below_required');
    await log('success', userId, { userId, roles: roles.join(','), level, method: 'security-key' });
    return issueAdminToken(userId, level, sessionId);
  }

  return { login, loginWithCode };
}
