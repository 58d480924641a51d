/** `info`, `auth/login`, `auth/revoke` (csc-api-v2.md §3.1–§3.3). */

import { Type as T } from 'typebox';
import { CONFORMANCE_LEVELS, ENVELOPES, FORMATS } from '../formats/index.js';
import type { HttpApp } from '../http/server.js';
import { serviceCaller } from './bearer.js';
import type { CscDeps } from './deps.js';
import { ASYNC_METHODS } from './routes-async.js';
import { ErrorBody, InfoRequest, LoginRequest, LoginResponse, RevokeRequest } from './schemas.js';
import { CSC_VERSION_22, V22_METHODS } from './v22/index.js';

export const CSC_VERSION = '2.0.0.2';

export const METHODS = [
  'info',
  'auth/login',
  'auth/revoke',
  'credentials/list',
  'credentials/info',
  'credentials/authorize',
  'credentials/authorizeCheck',
  'credentials/getChallenge',
  'signatures/signHash',
  'signatures/signDoc',
  'signatures/timestamp',
] as const;

const errors = { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody };

export function serviceRoutes(app: HttpApp, deps: CscDeps): void {
  const methods = [...METHODS, ...(deps.async ? ASYNC_METHODS : []), ...(deps.v22 ? V22_METHODS : [])];
  app.post('/info', { schema: { tags: ['csc'], body: InfoRequest } }, async () => ({
    // 2.2.0.0 only when its methods are routed (v22/), so the version is never claimed untruthfully.
    specs: deps.v22 ? CSC_VERSION_22 : CSC_VERSION,
    name: deps.info.name,
    logo: deps.info.logo,
    region: deps.info.region,
    lang: deps.info.lang,
    description: deps.info.description,
    // oauth2code joins once the RSSP's login and consent pages serve oauth2/authorize.
    authType: deps.info.oauth2 ? ['basic', 'oauth2client', 'oauth2code'] : ['basic'],
    ...(deps.info.oauth2 ? { oauth2: deps.info.oauth2 } : {}),
    methods,
    // §5.1 operationMode "A" and signatures/signPolling, when the composition root wires them.
    asynchronousOperationMode: deps.async !== undefined,
    // signDoc returns validation data when asked (returnValidationInfo).
    validationInfo: true,
    signAlgorithms: { algos: [...deps.info.signAlgorithms] },
    signature_formats: { formats: [...FORMATS], envelope_properties: FORMATS.map((f) => [...ENVELOPES[f]]) },
    conformance_levels: [...CONFORMANCE_LEVELS],
    // TS 119 432 §7.2 (CSC 2.2 §11.1): FAPI 2.0 is not offered (no DPoP, no signed JAR).
    ...(deps.v22 ? { oauth2FAPIsupport: false } : {}),
  }));
  authRoutes(app, deps);
}

/** auth/login and auth/revoke: the same in CSC 1.0.4.0 and 2.0.0.2, so /csc/v1 registers them too. */
export function authRoutes(app: HttpApp, deps: CscDeps): void {
  app.post(
    '/auth/login',
    { schema: { tags: ['csc'], body: LoginRequest, response: { 200: LoginResponse, ...errors } } },
    async (req) => {
      const opts = { rememberMe: req.body.rememberMe === true, ip: req.ip };
      const r =
        req.body.refresh_token !== undefined && req.headers.authorization === undefined
          ? await deps.session.loginRefresh(req.body.refresh_token, opts)
          : await deps.session.loginBasic(req.headers.authorization ?? '', opts);
      return {
        access_token: r.accessToken,
        ...(r.refreshToken ? { refresh_token: r.refreshToken } : {}),
        expires_in: r.expiresIn,
      };
    },
  );

  app.post(
    '/auth/revoke',
    { schema: { tags: ['csc'], body: RevokeRequest, response: { 204: T.Null(), ...errors } } },
    async (req, reply) => {
      const principal = await serviceCaller(deps.session, req);
      await deps.session.revoke(principal, req.body.token, req.body.token_type_hint);
      return reply.status(204).send(null);
    },
  );
}
