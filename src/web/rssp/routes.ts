/**
 * HTTP for the RSSP's pages (WEB-1): `GET oauth2/authorize` under the CSC base path, then
 * `/rssp/*`. Forms post back with the CSRF token; the WebAuthn script posts JSON with it in
 * `x-csrf-token`. Every POST must also come from this origin (Origin / Sec-Fetch-Site), pages
 * cannot be framed, and the CSP allows no inline script and no form target but this service and,
 * on the consent page, the client's redirect origin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditSink } from '../../audit/event.js';
import type { AuthenticationResponseJSON } from '../../auth/factors/webauthn.js';
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
import { csrfFor, FLOW_TTL_SECONDS, type Flows, flowCookie, setCookieHeader } from './flows.js';
import { createGuard, FORM, headerToken, htmlReply, JSON_BODY } from './guard.js';
import { consentPage, loginPage, messagePage } from './pages.js';
import type { createRegisterFlow } from './register-flow.js';
import { registerEnrolmentRoutes } from './register-routes.js';

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

const originOf = (url: string) => new URL(url).origin;

export function registerRsspRoutes(app: HttpApp, deps: RsspRoutesDeps): void {
  const { flows, authorize } = deps;

  const guard = createGuard(deps);
  const { message, checkedFlow } = guard;

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

    /** A form that moves the flow on: a refusal counts as an attempt and shows the page again. */
    const formStep = (
      path: string,
      step: string,
      act: (flow: AuthorizeFlow, form: Record<string, string>) => Promise<string>,
    ) =>
      s.post(path, { schema: { hide: true, body: FORM } }, async (req, reply) => {
        const form = req.body as Record<string, string>;
        let flow: AuthorizeFlow;
        try {
          flow = await authorizeFlow(req, form.csrf);
        } catch (e) {
          return message(reply, e);
        }
        try {
          return reply.redirect(await act(flow, form), 303);
        } catch (e) {
          return afterFailure(reply, req, flow, step, e);
        }
      });

    formStep('/rssp/login', 'login', async (flow, form) => {
      await authorize.login(flow, form.username ?? '', form.password ?? '');
      return '/rssp/flow';
    });
    formStep('/rssp/approve', 'approve', (flow, form) =>
      authorize.approveWithFactors(
        flow,
        ['PIN', 'TOTP', 'OTP'].filter((id) => form[id] !== undefined).map((id) => ({ id, value: form[id] as string })),
      ),
    );

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

    registerEnrolmentRoutes(s, { flows, guard, register: deps.register, serviceName: deps.serviceName });
  });
}

/** The browser's assertion; the WebAuthn library checks every field of it. */
function assertionOf(req: FastifyRequest): AuthenticationResponseJSON {
  const r = (req.body as { response?: unknown }).response;
  if (typeof r !== 'object' || r === null) throw new ShomeiError('missing_string', { name: 'response' });
  return r as AuthenticationResponseJSON;
}
