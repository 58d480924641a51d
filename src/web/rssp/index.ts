/**
 * The RSSP's own pages (WEB-1): oauth2/authorize with login, consent (VIEW: hashes and the
 * verification code) and activation, and security-key registration.
 */
import type { AuditSink } from '../../audit/event.js';
import type { TotpFactor } from '../../auth/factors/totp.js';
import type { WebAuthnFactor } from '../../auth/factors/webauthn.js';
import type { HttpApp } from '../../http/server.js';
import type { OAuth } from '../../oauth/index.js';
import type { Clock, Random } from '../../platform/index.js';
import type { CredentialRecord, Signing } from '../../signing/index.js';
import type { Store } from '../../store/index.js';
import type { Users } from '../../users/index.js';
import { createAuthorizeFlow } from './authorize-flow.js';
import { createFlows } from './flows.js';
import { createRegisterFlow } from './register-flow.js';
import { registerRsspRoutes } from './routes.js';

export type { ConsentView, FlowRequest } from './authorize-flow.js';
export { FLOW_COOKIE, MAX_FLOW_FAILURES } from './flows.js';

export interface RsspDeps {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly random: Random;
  readonly oauth: OAuth;
  readonly users: Users;
  readonly signing: Signing;
  readonly webauthn: WebAuthnFactor;
  readonly totp: TotpFactor;
  readonly serviceName: string;
  readonly origin: string;
  readonly cscBasePath: string;
  verifyPassword(username: string, password: string, clientId: string): Promise<string>;
  credential(id: string): Promise<CredentialRecord | undefined>;
  rolesOf(userId: string): Promise<readonly string[]>;
  certificateSubject(keyId: string): Promise<string | undefined>;
  hashName(oid: string): string;
}

export function rsspRoutes(app: HttpApp, deps: RsspDeps): void {
  const flows = createFlows(deps);
  const authorize = createAuthorizeFlow({ ...deps, flows });
  const register = createRegisterFlow({ ...deps, flows });
  registerRsspRoutes(app, {
    oauth: deps.oauth,
    audit: deps.audit,
    flows,
    authorize,
    register,
    serviceName: deps.serviceName,
    origin: deps.origin,
    cscBasePath: deps.cscBasePath,
  });
}
