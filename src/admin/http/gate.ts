/**
 * The admin API's one authorisation step (API-2). Every route behind the gate declares the role it
 * needs in its route config (`role(...)`); a hook on the whole scope authenticates the bearer token
 * (401 as on the CSC routes), then refuses — 403 with a catalogue code, logged as `admin.denied` —
 * a token that is not an admin token, one below admin.requiredLevel (AUTH-4), or an admin without
 * the role. A route that declares no role is refused too: the gate fails closed.
 *
 * Roles are read from DB-1 on every request, so a revoked role stops working at once.
 */
import type { FastifyRequest } from 'fastify';
import type { AuditSink } from '../../audit/index.js';
import { ADMIN_SCOPE, type Principal, type TokenService } from '../../auth/index.js';
import { bearerToken } from '../../csc/index.js';
import { ShomeiError } from '../../errors.js';
import type { HttpApp } from '../../http/server.js';
import type { AdminRole } from '../../users/index.js';

/** What the gate granted: who, at which level, in which role. Handlers act as this caller. */
export interface AdminCaller {
  readonly userId: string;
  readonly sessionId: string;
  readonly level: number;
  readonly role: AdminRole;
}

export interface GateDeps {
  readonly tokens: Pick<TokenService, 'authenticate'>;
  readonly rolesOf: (userId: string) => Promise<readonly AdminRole[]>;
  readonly audit: AuditSink;
  /** admin.requiredLevel. */
  readonly requiredLevel: number;
}

interface RoleConfig {
  readonly adminRole?: AdminRole;
}

/** Route options fragment naming the role a route needs. */
export const role = (adminRole: AdminRole): { config: RoleConfig } => ({ config: { adminRole } });

const granted = new WeakMap<FastifyRequest, AdminCaller>();
/** The admin.access entry of each granted request, durable before its answer is sent. */
const traced = new WeakMap<FastifyRequest, Promise<unknown>>();

/** The caller the gate admitted for this request. */
export function callerOf(req: FastifyRequest): AdminCaller {
  const caller = granted.get(req);
  if (!caller) throw new ShomeiError('internal');
  return caller;
}

const routeName = (req: FastifyRequest) => `${req.method} ${req.routeOptions.url ?? req.url}`;

async function refusal(
  deps: GateDeps,
  principal: Principal,
  needed: AdminRole | undefined,
): Promise<ShomeiError | undefined> {
  if (principal.scope !== ADMIN_SCOPE) return new ShomeiError('admin_scope_required');
  const level = principal.level ?? 1;
  if (level < deps.requiredLevel) {
    return new ShomeiError('admin_level_required', { required: String(deps.requiredLevel), level: String(level) });
  }
  if (needed === undefined || !(await deps.rolesOf(principal.userId)).includes(needed)) {
    return new ShomeiError('admin_role_required', { role: needed ?? 'undeclared' });
  }
  return undefined;
}

/** Installs the gate on every route of `scope` (an encapsulated plugin: routes outside it are untouched). */
export function adminGate(scope: HttpApp, deps: GateDeps): void {
  // onRequest: before the body is parsed or validated, so strangers learn nothing of the schemas.
  scope.addHook('onRequest', async (req) => {
    const principal = await deps.tokens.authenticate(bearerToken(req));
    const needed = (req.routeOptions.config as RoleConfig).adminRole;
    const route = routeName(req);
    const refused = await refusal(deps, principal, needed);
    if (refused) {
      await deps.audit.append({
        type: 'admin.denied',
        actor: principal.userId,
        outcome: 'failure',
        route,
        reason: refused.code,
        scope: principal.scope,
        level: principal.level ?? 1,
        role: needed ?? null,
        sessionId: principal.sessionId,
      });
      throw refused;
    }
    const caller: AdminCaller = {
      userId: principal.userId,
      sessionId: principal.sessionId,
      level: principal.level ?? 1,
      role: needed as AdminRole,
    };
    // Reads leave a trace too (personal data, the log itself); writes add their own domain entry.
    // The trace is queued now and awaited before the answer leaves (onSend): the log commits in
    // order, so a write's own durable entry already covers it — one durable wait per request, not two.
    const access = deps.audit.append({
      type: 'admin.access',
      actor: caller.userId,
      outcome: 'success',
      route,
      role: caller.role,
      level: caller.level,
      sessionId: caller.sessionId,
    });
    access.catch(() => {}); // awaited in onSend; never an unhandled rejection meanwhile
    traced.set(req, access);
    granted.set(req, caller);
  });
  scope.addHook('onSend', async (req) => {
    await traced.get(req);
  });
}
