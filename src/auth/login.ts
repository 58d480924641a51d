/**
 * CSC auth/login (csc-api-v2.md §3.2): HTTP Basic user:password, or a refresh token in the body;
 * and the password check itself, which the admin login (admin-login.ts) shares.
 *
 * No user enumeration (AUTH-2): an unknown user, a wrong password and a locked account all answer
 * the same `authentication_error`, after the same scrypt work. Saying "locked" would tell a guesser
 * that the name exists and when to come back; the rightful user learns the reason from the
 * operator, who sees it in the audit log (reason 'locked', retryAfter). Only someone who gives the
 * right password learns that the account is suspended.
 */
import type { AuditSink } from '../audit/event.js';
import { ShomeiError } from '../errors.js';
import type { Clock, Random } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { createVerifier, dummyVerify, needsRehash, verifySecret } from '../users/index.js';
import { parseBasicAuthorization } from './basic.js';
import { type LockoutPolicy, recordSuccess, reserveAttempt } from './lockout.js';
import type { TokenGrant } from './principal.js';
import type { TokenService } from './tokens.js';

export interface LoginDeps extends LockoutPolicy {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly random: Random;
  readonly tokens: TokenService;
  readonly scryptLogN: number;
}

export interface BasicLogin {
  readonly authorization: string | undefined;
  readonly clientId: string;
  readonly rememberMe?: boolean;
}

/** The scope auth/login grants: API access, not a credential (csc-api-v2.md §1). */
export const SERVICE_SCOPE = 'service';

/** Where a password check is logged: the event type and the client the login is for. */
export interface PasswordContext {
  /** 'auth.login' for CSC auth/login; 'admin.login' for the admin API. */
  readonly event: string;
  readonly clientId: string;
}

export interface Login {
  /**
   * The one username + password check (AUTH-2) every password login uses: resolves to the user's
   * id, or throws `authentication_error` (unknown user, wrong password, locked: one answer, logged
   * under `ctx.event` with the real reason) or `account_suspended` (right password, inactive user).
   */
  verifyPassword(authorization: string | undefined, ctx: PasswordContext): Promise<string>;
  loginBasic(req: BasicLogin): Promise<TokenGrant>;
  loginRefresh(refreshToken: string, clientId: string): Promise<TokenGrant>;
}

export function createLogin(deps: LoginDeps): Login {
  const { store, audit } = deps;

  const refuse = async (ctx: PasswordContext, reason: string, userId: string | null, extra = {}): Promise<never> => {
    await audit.append({
      type: ctx.event,
      actor: userId ?? 'anonymous',
      outcome: 'failure',
      reason,
      userId,
      clientId: ctx.clientId,
      ...extra,
    });
    throw new ShomeiError('authentication_error');
  };

  async function verifyPassword(authorization: string | undefined, ctx: PasswordContext): Promise<string> {
    const { username, password } = parseBasicAuthorization(authorization);
    const user = await store.db
      .selectFrom('users')
      .select(['id', 'status', 'password_verifier'])
      .where('username', '=', username)
      .executeTakeFirst();
    if (!user?.password_verifier) {
      await dummyVerify(password, deps.scryptLogN);
      // The attempted name is not logged: users type passwords into the name field.
      return refuse(ctx, 'unknown_user', null);
    }
    const attempt = await reserveAttempt(store, deps.clock, deps, user.id, 'login');
    if (attempt.kind !== 'reserved') {
      await dummyVerify(password, deps.scryptLogN);
      const retryAfter = attempt.kind === 'locked' ? attempt.retryAfterSeconds : 0;
      return refuse(ctx, 'locked', user.id, { retryAfter });
    }
    if (!(await verifySecret(user.password_verifier, password))) {
      return refuse(ctx, 'wrong_password', user.id, { failures: attempt.failures });
    }
    await recordSuccess(store, user.id, 'login');
    if (needsRehash(user.password_verifier, deps.scryptLogN)) await rehash(user.id, password);
    if (user.status !== 'active') {
      await audit.append({
        type: ctx.event,
        actor: user.id,
        outcome: 'failure',
        reason: 'account_suspended',
        userId: user.id,
        clientId: ctx.clientId,
      });
      throw new ShomeiError('account_suspended');
    }
    return user.id;
  }

  async function loginBasic(req: BasicLogin): Promise<TokenGrant> {
    const userId = await verifyPassword(req.authorization, { event: 'auth.login', clientId: req.clientId });
    await audit.append({
      type: 'auth.login',
      actor: userId,
      outcome: 'success',
      userId,
      clientId: req.clientId,
      method: 'basic',
    });
    return deps.tokens.issue({
      userId,
      clientId: req.clientId,
      scope: SERVICE_SCOPE,
      rememberMe: req.rememberMe === true,
    });
  }

  /** The cost parameter went up since this verifier was made; upgrade it while we hold the password. */
  async function rehash(userId: string, password: string): Promise<void> {
    const verifier = await createVerifier(password, deps.scryptLogN, deps.random);
    await store.db.updateTable('users').set({ password_verifier: verifier }).where('id', '=', userId).execute();
  }

  return {
    verifyPassword,
    loginBasic,
    // Rotation, reuse detection and its audit entries live in the token service.
    loginRefresh: (refreshToken, clientId) => deps.tokens.refresh(refreshToken, clientId),
  };
}
