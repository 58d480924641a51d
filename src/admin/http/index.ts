/**
 * The admin API (API-2) under `/admin/v1`: its own login (password + TOTP, level 3) and, behind
 * one gate (gate.ts), the registration officer's, key administrator's and auditor's routes; plus
 * the typed client the `shomei admin …` commands use to call it.
 */
import type { TokenService } from '../../auth/index.js';
import type { HttpApp } from '../../http/server.js';
import type { AdminRole } from '../../users/index.js';
import { adminGate } from './gate.js';
import { type AdminRouteDeps, auditRoutes, credentialRoutes, loginRoute, userRoutes } from './routes.js';

export { AdminApiError, AdminClient, type AdminSession } from './client.js';
export type { AdminCaller } from './gate.js';
export type { AdminRouteDeps } from './routes.js';
export type * from './schemas.js';

export const ADMIN_BASE_PATH = '/admin/v1';
/** The route that checks a secret (the per-address limit counts its failures, AUTH-2). */
export const ADMIN_LOGIN_PATH = `${ADMIN_BASE_PATH}/login`;
export const ADMIN_CODE_LOGIN_PATH = `${ADMIN_BASE_PATH}/login/token`;

export interface AdminApiDeps extends AdminRouteDeps {
  readonly tokens: Pick<TokenService, 'authenticate'>;
  readonly rolesOf: (userId: string) => Promise<readonly AdminRole[]>;
  /** admin.requiredLevel (AUTH-4). */
  readonly requiredLevel: number;
}

export async function registerAdminApi(app: HttpApp, deps: AdminApiDeps): Promise<void> {
  await app.register(
    async (scope) => {
      const s = scope as unknown as HttpApp;
      loginRoute(s, deps);
      await s.register(async (gated) => {
        const g = gated as unknown as HttpApp;
        adminGate(g, deps);
        userRoutes(g, deps);
        credentialRoutes(g, deps);
        auditRoutes(g, deps);
      });
    },
    { prefix: ADMIN_BASE_PATH },
  );
}
