/**
 * The service's own command line as an OAuth client (RFC 8252, native apps): `shomei admin login
 * --security-key` listens on a loopback port, sends the administrator's browser to the RSSP's
 * sign-in page, and receives a code at `http://127.0.0.1:<port>/…`, which only a process on the
 * administrator's machine can. PKCE S256 binds the code to that process. The client is built in
 * (nothing to register) and may only use loopback redirect URIs, any port (RFC 8252 §7.3); the
 * code is the ordinary single-use, 60-second code of codes.ts with scope 'admin'.
 */
import { ShomeiError } from '../errors.js';
import { CODE_TTL_SECONDS, CodeRefused, insertCode, redeemCode } from './codes.js';
import type { OAuthDeps } from './model.js';
import { S256_CHALLENGE, verifyPkce } from './pkce.js';

/** The built-in client id of the admin command line. */
export const ADMIN_CLI_CLIENT_ID = 'shomei-admin-cli';
export const ADMIN_CODE_SCOPE = 'admin' as const;

/** http://127.0.0.1|[::1]|localhost:<port>/<path>, no query credentials, no fragment. */
export function isLoopbackRedirect(uri: string): boolean {
  if (uri.length > 512) return false;
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return (
    u.protocol === 'http:' &&
    ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname) &&
    u.port !== '' &&
    u.username === '' &&
    u.password === '' &&
    u.hash === '' &&
    u.search === ''
  );
}

export interface AdminCodeInput {
  readonly userId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly level: number;
  readonly sessionId: string;
  readonly authTime: number;
}

export async function issueAdminCode(deps: OAuthDeps, input: AdminCodeInput): Promise<{ code: string }> {
  if (!isLoopbackRedirect(input.redirectUri)) throw new ShomeiError('invalid_redirect_uri');
  if (!S256_CHALLENGE.test(input.codeChallenge))
    throw new ShomeiError('oauth_invalid_request', { name: 'code_challenge' });
  const { code, id } = await insertCode(deps, { ...input, clientId: ADMIN_CLI_CLIENT_ID, scope: ADMIN_CODE_SCOPE });
  await deps.audit.append({
    type: 'oauth.code.issue',
    actor: input.userId,
    outcome: 'success',
    clientId: ADMIN_CLI_CLIENT_ID,
    scope: ADMIN_CODE_SCOPE,
    codeId: id,
    userId: input.userId,
    level: input.level,
    expiresIn: CODE_TTL_SECONDS,
  });
  return { code };
}

export interface AdminCodeRedemption {
  readonly code: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  /** The token session the code's tokens will belong to (revoked if the code is replayed). */
  readonly sessionId: string;
}

/** Spends an admin code: the same redirect URI, the PKCE verifier; returns who and at which level. */
export async function redeemAdminCode(
  deps: OAuthDeps,
  req: AdminCodeRedemption,
): Promise<{ userId: string; level: number }> {
  try {
    const row = await redeemCode(deps, req.code, ADMIN_CLI_CLIENT_ID, req.sessionId);
    if (row.scope !== ADMIN_CODE_SCOPE) throw new CodeRefused('scope', row);
    if (req.redirectUri !== row.redirect_uri) throw new CodeRefused('redirect_uri', row, 'redirect_uri_mismatch');
    if (!verifyPkce(row.code_challenge, req.codeVerifier)) throw new CodeRefused('pkce', row, 'pkce_mismatch');
    return { userId: row.user_id, level: row.level };
  } catch (e) {
    if (e instanceof CodeRefused)
      await deps.audit.append({
        type: 'oauth.code.redeem',
        actor: e.row?.user_id ?? 'anonymous',
        outcome: 'failure',
        clientId: ADMIN_CLI_CLIENT_ID,
        reason: e.reason,
      });
    throw e;
  }
}
