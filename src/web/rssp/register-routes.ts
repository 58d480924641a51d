/**
 * Setting up sign-in factors on the RSSP's pages with a one-time enrolment code (AUTH-4, USER-4):
 * a security key (the WebAuthn script's JSON calls) or an authenticator app by QR code (plain forms).
 */
import type { FastifyRequest } from 'fastify';
import type { RegistrationResponseJSON } from '../../auth/factors/webauthn.js';
import { catalogue, describe, isShomeiError, ShomeiError } from '../../errors.js';
import type { HttpApp } from '../../http/server.js';
import { FLOW_TTL_SECONDS, type Flow, type Flows, setCookieHeader } from './flows.js';
import { FORM, type Guard, headerToken, htmlReply, JSON_BODY } from './guard.js';
import { messagePage, registerPage, totpPage } from './pages.js';
import { qrSvg } from './qr.js';
import type { createRegisterFlow, RegisterRequest } from './register-flow.js';

export interface RegisterRoutesDeps {
  readonly flows: Flows;
  readonly guard: Guard;
  readonly register: ReturnType<typeof createRegisterFlow>;
  readonly serviceName: string;
}

export function registerEnrolmentRoutes(s: HttpApp, deps: RegisterRoutesDeps): void {
  const { flows } = deps;
  const { message, checkedFlow } = deps.guard;

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
}
