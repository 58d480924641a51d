/**
 * The OAuth2 authorisation server of CSC API v2 (csc-api-v2.md §3.4-§3.7; AUTH-2, AUTH-3):
 * registered clients, authorisation codes with PKCE S256, the token endpoint (authorization_code,
 * client_credentials, refresh_token with rotation) and revocation. Tokens are the one token
 * service of auth/; a credential-scoped token carries a SAD from the one SAD service.
 */
import type { JSONWebKeySet } from 'jose';
import { type AuthorizeQuery, type AuthorizeValidation, validateAuthorizeRequest } from './authorize-request.js';
import type { ClientCredentials } from './client-auth.js';
import { type Clients, createClients } from './clients.js';
import { type IssueCodeInput, type IssuedCode, issueCode } from './codes.js';
import { type AdminCodeInput, type AdminCodeRedemption, issueAdminCode, redeemAdminCode } from './first-party.js';
import type { OAuthDeps } from './model.js';
import { type PushedRequest, pushAuthorizationRequest, resolveAuthorizeQuery } from './par.js';
import { revokeEndpoint, type TokenRequest, type TokenResponse, tokenEndpoint } from './token.js';

export type { AuthorizationRequest, AuthorizeQuery, AuthorizeValidation } from './authorize-request.js';
export { codeRedirect, errorRedirect, validateAuthorizeRequest } from './authorize-request.js';
export { JWT_BEARER } from './client-auth.js';
export type { Clients, NewClient, RegisteredClient } from './clients.js';
export { CODE_TTL_SECONDS, type IssueCodeInput, type IssuedCode } from './codes.js';
export {
  ADMIN_CLI_CLIENT_ID,
  type AdminCodeInput,
  type AdminCodeRedemption,
  isLoopbackRedirect,
} from './first-party.js';
export type * from './model.js';
export { PAR_TTL_SECONDS, type PushedRequest } from './par.js';
export { S256_CHALLENGE, s256 } from './pkce.js';
export { registerOAuthRoutes } from './routes.js';
export type { TokenRequest, TokenResponse } from './token.js';
export { verificationCode } from './verification-code.js';
export type { JSONWebKeySet };

export interface OAuth {
  readonly clients: Clients;
  /** For the consent page, once the signer has authenticated and approved. */
  issueCode(input: IssueCodeInput): Promise<IssuedCode>;
  /**
   * Resolves a pushed request (request_uri, used once), loads the client named by client_id, then
   * validates (see authorize-request.ts).
   */
  authorizeRequest(query: AuthorizeQuery): Promise<AuthorizeValidation>;
  token(req: TokenRequest): Promise<TokenResponse>;
  revoke(req: ClientCredentials & { token?: string; token_type_hint?: string }): Promise<void>;
  /** oauth2/pushed_authorize (RFC 9126). */
  pushAuthorizationRequest(body: ClientCredentials & Record<string, string | undefined>): Promise<PushedRequest>;
  /** The built-in admin command line's code (first-party.ts), after a security-key sign-in. */
  issueAdminCode(input: AdminCodeInput): Promise<{ code: string }>;
  redeemAdminCode(req: AdminCodeRedemption): Promise<{ userId: string; level: number }>;
}

export function createOAuth(deps: OAuthDeps): OAuth {
  const clients = createClients(deps);
  return {
    clients,
    issueCode: (input) => issueCode(deps, input),
    async authorizeRequest(asked) {
      const query = await resolveAuthorizeQuery(deps, asked);
      if (!query) return { kind: 'page', code: 'invalid_request_uri', params: {} };
      const id = query.client_id;
      const client = typeof id === 'string' && id.length <= 255 ? await clients.get(id) : undefined;
      return validateAuthorizeRequest(query, client, {
        hashLength: deps.hashLength,
        credentialManagement: deps.credentialManagement === true,
      });
    },
    token: (req) => tokenEndpoint(deps, req),
    revoke: (req) => revokeEndpoint(deps, req),
    pushAuthorizationRequest: (body) => pushAuthorizationRequest(deps, body),
    issueAdminCode: (input) => issueAdminCode(deps, input),
    redeemAdminCode: (req) => redeemAdminCode(deps, req),
  };
}
