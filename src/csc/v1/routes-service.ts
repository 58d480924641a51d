/** v1 `info` (specs 1.0.4.0); auth/login and auth/revoke are v2's routes, unchanged in v1. */
import type { HttpApp } from '../../http/server.js';
import type { CscDeps } from '../deps.js';
import { authRoutes } from '../routes-service.js';
import { InfoRequest } from '../schemas.js';

export const CSC_V1_VERSION = '1.0.4.0';

/** What /csc/v1 answers. credentials/extendTransaction is routed (501, see routes-credentials.ts) but not offered. */
export const METHODS_V1 = [
  'info',
  'auth/login',
  'auth/revoke',
  'credentials/list',
  'credentials/info',
  'credentials/authorize',
  'credentials/sendOTP',
  'signatures/signHash',
  'signatures/timestamp',
] as const;

export function serviceRoutesV1(app: HttpApp, deps: CscDeps): void {
  app.post('/info', { schema: { tags: ['csc-v1'], body: InfoRequest } }, async () => ({
    specs: CSC_V1_VERSION,
    name: deps.info.name,
    logo: deps.info.logo,
    region: deps.info.region,
    lang: deps.info.lang,
    description: deps.info.description,
    authType: deps.info.oauth2 ? ['basic', 'oauth2client', 'oauth2code'] : ['basic'],
    ...(deps.info.oauth2 ? { oauth2: deps.info.oauth2 } : {}),
    methods: [...METHODS_V1],
  }));
  authRoutes(app, deps);
}
