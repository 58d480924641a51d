/**
 * `oauth2/token` and `oauth2/revoke` under the CSC base path (csc-api-v2.md §1, §3.6, §3.7): form
 * bodies (RFC 6749 §3.2, UTF-8) or JSON, as the reference allows. `oauth2/authorize` belongs to the
 * RSSP's own pages (login, factors, consent), which call `issueCode` once the signer approved.
 */
import { Type as T } from 'typebox';
import { acceptForms } from '../http/form.js';
import type { HttpApp } from '../http/server.js';
import type { OAuth } from './index.js';

const Str = (max: number) => T.Optional(T.String({ maxLength: max }));
const ClientAuth = {
  client_id: Str(255),
  client_secret: Str(255),
  client_assertion: Str(8192),
  client_assertion_type: Str(255),
};

export const TokenRequestBody = T.Object({
  grant_type: Str(64),
  code: Str(256),
  code_verifier: Str(256),
  redirect_uri: Str(2048),
  refresh_token: Str(256),
  scope: Str(64),
  authorization_details: Str(65536),
  clientData: Str(2048),
  ...ClientAuth,
});

export const RevokeRequestBody = T.Object({
  token: Str(256),
  token_type_hint: Str(64),
  clientData: Str(2048),
  ...ClientAuth,
});

/** The authorize parameters (csc-api-v2.md §3.4) posted to oauth2/pushed_authorize. */
export const PushedAuthorizeBody = T.Object({
  response_type: Str(64),
  redirect_uri: Str(2048),
  scope: Str(64),
  state: Str(1024),
  code_challenge: Str(128),
  code_challenge_method: Str(16),
  authorization_details: Str(262144),
  credentialID: Str(255),
  signatureQualifier: Str(64),
  numSignatures: Str(8),
  hashes: Str(131072),
  hashAlgorithmOID: Str(64),
  description: Str(500),
  lang: Str(35),
  clientData: Str(2048),
  ...ClientAuth,
});

const OAuthError = T.Object({ error: T.String(), error_description: T.String() });
const TokenResponse = T.Object({
  access_token: T.String(),
  token_type: T.Literal('Bearer'),
  expires_in: T.Integer(),
  refresh_token: T.Optional(T.String()),
  scope: T.String(),
  credentialID: T.Optional(T.String()),
});

export async function registerOAuthRoutes(app: HttpApp, oauth: OAuth, prefix: string): Promise<void> {
  await app.register(
    async (scope) => {
      const s = scope as unknown as HttpApp;
      acceptForms(s);
      const errors = { 400: OAuthError, 401: OAuthError };
      s.post(
        '/oauth2/token',
        { schema: { tags: ['oauth2'], body: TokenRequestBody, response: { 200: TokenResponse, ...errors } } },
        async (req, reply) => {
          const r = await oauth.token({ ...req.body, ...authorizationOf(req.headers.authorization) });
          reply.header('Pragma', 'no-cache');
          return r;
        },
      );
      s.post(
        '/oauth2/pushed_authorize',
        {
          schema: {
            tags: ['oauth2'],
            body: PushedAuthorizeBody,
            response: { 201: T.Object({ request_uri: T.String(), expires_in: T.Integer() }), ...errors },
          },
        },
        async (req, reply) => {
          const r = await oauth.pushAuthorizationRequest({
            ...req.body,
            ...authorizationOf(req.headers.authorization),
          });
          return reply.status(201).send(r);
        },
      );
      s.post(
        '/oauth2/revoke',
        { schema: { tags: ['oauth2'], body: RevokeRequestBody, response: { 200: T.Null(), ...errors } } },
        async (req, reply) => {
          await oauth.revoke({ ...req.body, ...authorizationOf(req.headers.authorization) });
          return reply.status(200).send(null);
        },
      );
    },
    { prefix },
  );
}

const authorizationOf = (h: string | undefined) => (h === undefined ? {} : { authorization: h.slice(0, 4096) });
