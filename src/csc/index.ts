/**
 * The CSC API v2 surface (API-1) under `/csc/v2`: routes parse and validate, call the domain,
 * and map results to CSC field names. Nothing below this folder knows CSC's JSON.
 */
import type { HttpApp } from '../http/server.js';
import type { CscDeps } from './deps.js';
import { postOnly } from './post-only.js';
import { asyncRoutes } from './routes-async.js';
import { challengeRoutes } from './routes-challenge.js';
import { credentialRoutes } from './routes-credentials.js';
import { METHODS, serviceRoutes } from './routes-service.js';
import { signDocRoutes } from './routes-sign-doc.js';
import { signatureRoutes } from './routes-signatures.js';
import { registerCscV22, V22_METHODS } from './v22/index.js';

export { bearerToken, serviceScoped } from './bearer.js';
export type { CscDeps, LoginResult, ServiceInfo, SessionPort } from './deps.js';
export { CSC_VERSION, METHODS } from './routes-service.js';
export { ErrorBody } from './schemas.js';

export const CSC_BASE_PATH = '/csc/v2';

export async function registerCsc(app: HttpApp, deps: CscDeps): Promise<void> {
  await app.register(
    async (scope) => {
      const s = scope as unknown as HttpApp;
      serviceRoutes(s, deps);
      credentialRoutes(s, deps);
      challengeRoutes(s, deps);
      signatureRoutes(s, deps);
      signDocRoutes(s, deps);
      asyncRoutes(s, deps);
      if (deps.v22) registerCscV22(s, { session: deps.session, lifecycle: deps.v22.lifecycle });
      postOnly(s, deps.v22 ? [...METHODS, ...V22_METHODS] : METHODS);
    },
    { prefix: CSC_BASE_PATH },
  );
}
