/**
 * HTTP for the RSSP's pages (WEB-1): `GET oauth2/authorize` under the CSC base path, then
 * `/rssp/*`. Forms post back with the CSRF token; the WebAuthn script posts JSON with it in
 * `x-csrf-token`. Every POST must also come from this origin (Origin / Sec-Fetch-Site), pages
 * cannot be framed, and the CSP allows no inline script and no form target but this service and,
 * on the consent page, the client's redirect origin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type as T } from 'typebox';
import type { AuditSink } from '../../audit/event.js';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../auth/factors/webauthn.js';
import { catalogue, describe, isShomeiError, ShomeiError } from '../../errors.js';
import { acceptForms } from '../../http/form.js';
import type { HttpApp } from '../../http/server.js';
import {
  ADMIN_CLI_CLIENT_ID,
  errorRedirect,
  isLoopbackRedirect,
  type OAuth,
  S256_CHALLENGE,
} from '../../oauth/index.js';
import { ASSETS } from './assets.js';
import { type AuthorizeFlow, type AuthorizeFlowService, type FlowRequest, toFlowRequest } from './authorize-flow.js';
import { csrfFor, FLOW_TTL_SECONDS, type Flow, type Flows, flowCookie, setCookieHeader } from './flows.js';
import { consentPage, loginPage, messagePage, registerPage, totpPage } from './pages.js';
import { qrSvg } from './qr.js';
import type { createRegisterFlow, RegisterRequest } from './register-flow.js';

export interface RsspRoutesDeps {
  readonly oauth: OAuth;
  readonly audit: AuditSink;
  readonly flows: Flows;
  readonly authorize: AuthorizeFlowService;
  readonly register: ReturnType<typeof createRegisterFlow>;
  readonly serviceName: string;
  /** scheme://host[:port] of this service: the only origin allowed to post. */
  readonly origin: string;
  readonly cscBasePath: string;
}

const FORM = T.Record(T.String({ maxLength: 64 }), T.String({ maxLength: 4096 }), { maxProperties: 16 });
const JSON_BODY = T.Object(
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

const htmlReply = (reply: FastifyReply, status: number, body: string, formTargets?: readonly string[]) =>
  headers(reply, formTargets).status(status).type('text/html; charset=utf-8').send(body);

const originOf = (url: string) => new URL(url).origin;

export function registerRsspRoutes(app: HttpApp, deps: RsspRoutesDeps): void {
  const { flows, authorize } = deps;

  const message = (reply: FastifyReply, e: unknown) => {
    const code = isShomeiError(e) ? e.code : 'server_error';
    if (!isShomeiError(e)) throw e;
    const entry = catalogue[e.code];
    return htmlReply(
      reply,
      entry.status,
      messagePage(deps.serviceName, 'Cannot continue', describe(e.code, e.params), code),
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

  const authorizeFlow = (req: FastifyRequest, csrf: string | undefined) =>
    checkedFlow<FlowRequest>(req, 'authorize', csrf);

  const renderFlow = async (reply: FastifyReply, flow: AuthorizeFlow, cookie: string, error?: string, status = 200) => {
    const csrf = csrfFor(cookie);
    const lang = flow.request.lang;
    const base = { serviceName: deps.serviceName, csrf, ...(lang ? { lang } : {}), ...(error ? { error } : {}) };
    if (flow.step === 'login')
      return htmlReply(reply, status, loginPage({ ...base, clientName: flow.request.clientName }));
    const view = await authorize.consentView(flow);
    const redirectOrigin = originOf(flow.request.redirectUri);
    return htmlReply(reply, status, consentPage({ ...base, view, redirectOrigin }), [redirectOrigin]);
  };

  /** After a failed attempt: the page again with the reason, or back to the client once the flow died. */
  const afterFailure = async (
    reply: FastifyReply,
    req: FastifyRequest,
    flow: AuthorizeFlow,
    step: string,
    e: unknown,
  ) => {
    if (!isShomeiError(e)) throw e;
    if (e.code === 'csrf_failed' || e.code === 'flow_expired' || e.code === 'flow_step') return message(reply, e);
    const { dead } = await authorize.failed(flow, step, e);
    if (dead) return reply.redirect(await authorize.refuse(flow, 'flow_attempts'), 303);
    const fresh = await flows.load<FlowRequest>(flowCookie(req.headers.cookie), 'authorize');
    return renderFlow(
      reply,
      fresh,
      flowCookie(req.headers.cookie) as string,
      describe(e.code, e.params),
      catalogue[e.code].status,
    );
  };

  app.get(`${deps.cscBasePath}/oauth2/authorize`, { schema: { tags: ['oauth2'], hide: true } }, async (req, reply) => {
    const v = await deps.oauth.authorizeRequest(req.query as Record<string, string | string[]>);
    if (v.kind === 'page')
      return htmlReply(
        reply,
        400,
        messagePage(deps.serviceName, 'Invalid request', describe(v.code, v.params), v.code),
      );
    if (v.kind === 'redirect') return reply.redirect(errorRedirect(v), 302);
    const { cookie } = await flows.create('authorize', toFlowRequest(v.request));
    return reply.header('Set-Cookie', setCookieHeader(cookie, FLOW_TTL_SECONDS)).redirect('/rssp/flow', 303);
  });

  app.register(async (scope) => {
    const s = scope as unknown as HttpApp;
    acceptForms(s);

    // API-2, AUTH-4: `shomei admin login --security-key` sends the browser here (oauth/first-party.ts).
    s.get('/rssp/admin', { schema: { hide: true } }, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const str = (name: string) => (typeof q[name] === 'string' ? (q[name] as string) : undefined);
      const redirectUri = str('redirect_uri');
      const challenge = str('code_challenge');
      const state = str('state');
      const invalid = (name: string) =>
        htmlReply(
          reply,
          400,
          messagePage(
            deps.serviceName,
            'Invalid request',
            describe('invalid_parameter', { name }),
            'invalid_parameter',
          ),
        );
      if (!redirectUri || !isLoopbackRedirect(redirectUri)) return invalid('redirect_uri');
      if (!challenge || !S256_CHALLENGE.test(challenge) || str('code_challenge_method') !== 'S256')
        return invalid('code_challenge');
      if (state !== undefined && state.length > 1024) return invalid('state');
      const request: FlowRequest = {
        clientId: ADMIN_CLI_CLIENT_ID,
        clientName: 'shomei admin command line',
        redirectUri,
        ...(state !== undefined ? { state } : {}),
        scope: 'admin',
        codeChallenge: challenge,
      };
      const { cookie } = await flows.create('authorize', request);
      return reply.header('Set-Cookie', setCookieHeader(cookie, FLOW_TTL_SECONDS)).redirect('/rssp/flow', 303);
    });

    s.get('/rssp/assets/:name', { schema: { hide: true } }, async (req, reply) => {
      const a = ASSETS[(req.params as { name: string }).name];
      if (!a) return reply.status(404).send({ error: 'invalid_request', error_description: 'Not found' });
      if (req.headers['if-none-match'] === a.etag) return reply.status(304).send();
      return reply.header('Cache-Control', 'public, max-age=3600').header('ETag', a.etag).type(a.type).send(a.body);
    });

    s.get('/rssp/flow', { schema: { hide: true } }, async (req, reply) => {
      const cookie = flowCookie(req.headers.cookie);
      try {
        const flow = await flows.load<FlowRequest>(cookie, 'authorize');
        return await renderFlow(reply, flow, cookie as string);
      } catch (e) {
        return message(reply, e);
      }
    });

    s.post('/rssp/login', { schema: { hide: true, body: FORM } }, async (req, reply) => {
      const form = req.body as Record<string, string>;
      let flow: AuthorizeFlow;
      try {
        flow = await authorizeFlow(req, form.csrf);
      } catch (e) {
        return message(reply, e);
      }
      try {
        await authorize.login(flow, form.username ?? '', form.password ?? '');
        return reply.redirect('/rssp/flow', 303);
      } catch (e) {
        return afterFailure(reply, req, flow, 'login', e);
      }
    });

    s.post('/rssp/approve', { schema: { hide: true, body: FORM } }, async (req, reply) => {
      const form = req.body as Record<string, string>;
      let flow: AuthorizeFlow;
      try {
        flow = await authorizeFlow(req, form.csrf);
      } catch (e) {
        return message(reply, e);
      }
      try {
        const authData = ['PIN', 'TOTP', 'OTP']
          .filter((id) => form[id] !== undefined)
          .map((id) => ({ id, value: form[id] as string }));
        return reply.redirect(await authorize.approveWithFactors(flow, authData), 303);
      } catch (e) {
        return afterFailure(reply, req, flow, 'approve', e);
      }
    });

    s.post('/rssp/otp', { schema: { hide: true, body: FORM } }, async (req, reply) => {
      const form = req.body as Record<string, string>;
      try {
        const flow = await authorizeFlow(req, form.csrf);
        await authorize.sendOtp(flow);
        return await renderFlow(
          reply,
          flow,
          flowCookie(req.headers.cookie) as string,
          'A one-time code was sent to you.',
        );
      } catch (e) {
        return message(reply, e);
      }
    });

    s.post('/rssp/deny', { schema: { hide: true, body: FORM } }, async (req, reply) => {
      const form = req.body as Record<string, string>;
      try {
        const flow = await authorizeFlow(req, form.csrf);
        return reply.redirect(await authorize.refuse(flow, 'access_denied_by_user'), 303);
      } catch (e) {
        return message(reply, e);
      }
    });

    // The WebAuthn script's JSON calls: errors are catalogue JSON, as everywhere else.
    const jsonFlow = (req: FastifyRequest) => authorizeFlow(req, headerToken(req));

    s.post('/rssp/webauthn/options', { schema: { hide: true, body: JSON_BODY } }, async (req) => {
      const flow = await jsonFlow(req);
      const purpose = (req.body as { purpose?: string }).purpose;
      if (purpose !== 'login' && purpose !== 'approve') throw new ShomeiError('invalid_parameter', { name: 'purpose' });
      return authorize.securityKeyOptions(flow, purpose);
    });

    s.post('/rssp/webauthn/login', { schema: { hide: true, body: JSON_BODY } }, async (req) => {
      const flow = await jsonFlow(req);
      await jsonAttempt(flow, 'login', () => authorize.securityKeyLogin(flow, assertionOf(req)));
      return { redirect: '/rssp/flow' };
    });

    s.post('/rssp/webauthn/approve', { schema: { hide: true, body: JSON_BODY } }, async (req) => {
      const flow = await jsonFlow(req);
      const redirect = await jsonAttempt(flow, 'approve', () =>
        authorize.approveWithSecurityKey(flow, assertionOf(req)),
      );
      return { redirect };
    });

    /** A failed WebAuthn attempt counts like a wrong password; the error still reaches the script. */
    async function jsonAttempt<R>(flow: AuthorizeFlow, step: string, f: () => Promise<R>): Promise<R> {
      try {
        return await f();
      } catch (e) {
        if (isShomeiError(e) && e.code !== 'flow_step' && e.code !== 'flow_expired')
          await authorize.failed(flow, step, e);
        throw e;
      }
    }

    // Security-key registration with an enrolment code (register-flow.ts).
    s.get('/rssp/register', { schema: { hide: true } }, async (_req, reply) => {
      const { cookie, csrf } = await flows.create('register', {} satisfies RegisterRequest);
      reply.header('Set-Cookie', setCookieHeader(cookie, FLOW_TTL_SECONDS));
      return htmlReply(reply, 200, registerPage({ serviceName: deps.serviceName, csrf }));
    });

    const registerFlow = (req: FastifyRequest) => checkedFlow<RegisterRequest>(req, 'register', headerToken(req));

    s.post('/rssp/register/options', { schema: { hide: true, body: JSON_BODY } }, async (req) => {
      const flow = await registerFlow(req);
      const code = (req.body as { code?: string }).code;
      if (!code) throw new ShomeiError('missing_string', { name: 'code' });
      try {
        return await deps.register.options(flow, code);
      } catch (e) {
        if (isShomeiError(e) && e.code === 'enrolment_code_invalid') await flows.fail(flow.id);
        throw e;
      }
    });

    // An authenticator app, by QR code (AUTH-4): plain forms, no script.
    s.post('/rssp/totp/start', { schema: { hide: true, body: FORM } }, async (req, reply) => {
      const form = req.body as Record<string, string>;
      let flow: Flow<RegisterRequest>;
      try {
        flow = await checkedFlow<RegisterRequest>(req, 'register', form.csrf);
      } catch (e) {
        return message(reply, e);
      }
      const csrf = form.csrf as string;
      try {
        const { uri, username } = await deps.register.totpStart(flow, form.code ?? '');
        const secret = new URL(uri).searchParams.get('secret') ?? '';
        return htmlReply(
          reply,
          200,
          totpPage({ serviceName: deps.serviceName, csrf, qrSvg: await qrSvg(uri), secret, username }),
        );
      } catch (e) {
        if (!isShomeiError(e)) throw e;
        if (await flows.fail(flow.id)) return message(reply, new ShomeiError('flow_attempts'));
        const error = describe(e.code, e.params);
        return htmlReply(reply, catalogue[e.code].status, registerPage({ serviceName: deps.serviceName, csrf, error }));
      }
    });

    s.post('/rssp/totp/confirm', { schema: { hide: true, body: FORM } }, async (req, reply) => {
      const form = req.body as Record<string, string>;
      try {
        const flow = await checkedFlow<RegisterRequest>(req, 'register', form.csrf);
        try {
          await deps.register.totpConfirm(flow, form.totp ?? '');
        } catch (e) {
          if (!isShomeiError(e) || e.code !== 'invalid_otp') throw e;
          if (await flows.fail(flow.id)) throw new ShomeiError('flow_attempts');
          return htmlReply(
            reply,
            400,
            messagePage(deps.serviceName, 'Wrong code', `${describe(e.code, {})}: go back and try the next code.`),
          );
        }
        return htmlReply(
          reply,
          200,
          messagePage(
            deps.serviceName,
            'Authenticator app set up',
            'Your authenticator app is set up. You can close this page.',
          ),
        );
      } catch (e) {
        return message(reply, e);
      }
    });

    s.post('/rssp/register/finish', { schema: { hide: true, body: JSON_BODY } }, async (req) => {
      const flow = await registerFlow(req);
      const b = req.body as { code?: string; label?: string; response?: RegistrationResponseJSON };
      if (!b.code || !b.response) throw new ShomeiError('missing_string', { name: b.code ? 'response' : 'code' });
      const label = (b.label ?? '').trim() || 'Security key';
      await deps.register.finish(flow, b.code, label, b.response);
      return { message: `The security key “${label}” is registered. You can close this page.` };
    });
  });
}

/** The browser's assertion; the WebAuthn library checks every field of it. */
function assertionOf(req: FastifyRequest): AuthenticationResponseJSON {
  const r = (req.body as { response?: unknown }).response;
  if (typeof r !== 'object' || r === null) throw new ShomeiError('missing_string', { name: 'response' });
  return r as AuthenticationResponseJSON;
}

const headerToken = (req: FastifyRequest): string | undefined => {
  const h = req.headers['x-csrf-token'];
  return typeof h === 'string' ? h : undefined;
};
