import type { Login, TokenService } from '../auth/index.js';
import type { SessionPort } from '../csc/index.js';

/**
 * CSC auth/login with HTTP Basic carries no client identity, so such sessions share one client id;
 * OAuth2 clients (a later issue) get their registered ids.
 */
export const BASIC_CLIENT_ID = 'csc-basic';

export function sessionPort(login: Login, tokens: TokenService): SessionPort {
  return {
    loginBasic: (authorization, o) =>
      login.loginBasic({ authorization, clientId: BASIC_CLIENT_ID, rememberMe: o.rememberMe }),
    loginRefresh: (refreshToken) => login.loginRefresh(refreshToken, BASIC_CLIENT_ID),
    authenticate: (token) => tokens.authenticate(token),
    revoke: (principal, token, hint) => tokens.revoke(token, hint, principal),
  };
}
