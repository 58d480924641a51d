/**
 * What every RSSP page route shares (WEB-1, AUTH-2): the page headers (CSP without inline script,
 * no framing, no referrer), the error page, and the check that a POST belongs to a live flow —
 * same origin (Origin / Sec-Fetch-Site) and the flow's CSRF token, every refusal logged.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type as T } from 'typebox';
import type { AuditSink } from '../../audit/event.js';
import { catalogue, describe, isShomeiError, ShomeiError } from '../../errors.js';
import { type Flows, flowCookie } from './flows.js';
import { messagePage } from './pages.js';

export const FORM = T.Record(T.String({ maxLength: 64 }), T.String({ maxLength: 4096 }), { maxProperties: 16 });
export const JSON_BODY = T.Object(
  {
    purpose: T.Optional(T.String({ maxLength: 16 })),
    code: T.Optional(T.String({ maxLength: 64 })),
    label: T.Optional(T.String({ maxLength: 64 })),
    response: T.Optional(T.Record(T.String({ maxLength: 64 }), T.Unknown(), { maxProperties: 16 })),
  },
  { additionalProperties: false },
);

function headers(reply: FastifyReply, formTargets: readonly string[] = []): FastifyReply {
  const forms = ["'self'", ...formTargets].join(' ');
  return reply
    .header(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action ${forms}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .header('X-Frame-Options', 'DENY')
    .header('Referrer-Policy', 'no-referrer');
}

export const htmlReply = (reply: FastifyReply, status: number, body: string, formTargets?: readonly string[]) =>
  headers(reply, formTargets).status(status).type('text/html; charset=utf-8').send(body);

/** The CSRF token the WebAuthn script sends in a header. */
export const headerToken = (req: FastifyRequest): string | undefined => {
  const h = req.headers['x-csrf-token'];
  return typeof h === 'string' ? h : undefined;
};

export interface GuardDeps {
  readonly flows: Flows;
  readonly audit: AuditSink;
  readonly serviceName: string;
  /** scheme://host[:port] of this service: the only origin allowed to post. */
  readonly origin: string;
}

export function createGuard(deps: GuardDeps) {
  const { flows } = deps;

  /** A catalogue error as a page; anything else stays an internal error. */
  const message = (reply: FastifyReply, e: unknown) => {
    if (!isShomeiError(e)) throw e;
    return htmlReply(
      reply,
      catalogue[e.code].status,
      messagePage(deps.serviceName, 'Cannot continue', describe(e.code, e.params), e.code),
    );
  };

  /** Same-origin POSTs only: the CSRF token is the check, this is the second one. */
  const sameOrigin = async (req: FastifyRequest) => {
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if ((origin !== undefined && origin !== deps.origin) || (site !== undefined && site !== 'same-origin'))
      await csrfRefused(req, 'cross_origin', null);
  };

  const csrfRefused = async (req: FastifyRequest, reason: string, flowId: string | null): Promise<never> => {
    await deps.audit.append({
      type: 'rssp.csrf',
      actor: 'anonymous',
      outcome: 'failure',
      reason,
      path: req.routeOptions.url ?? null,
      flowId,
    });
    throw new ShomeiError('csrf_failed');
  };

  /** The flow behind the cookie, if the post carries its CSRF token and comes from this origin. */
  async function checkedFlow<R>(req: FastifyRequest, kind: 'authorize' | 'register', csrf: string | undefined) {
    await sameOrigin(req);
    const flow = await flows.load<R>(flowCookie(req.headers.cookie), kind);
    try {
      await flows.checkCsrf(flow.id, csrf);
    } catch {
      await csrfRefused(req, csrf ? 'wrong_token' : 'missing_token', flow.id);
    }
    return flow;
  }

  return { message, checkedFlow };
}

export type Guard = ReturnType<typeof createGuard>;
