/**
 * The admin API's routes (API-2): each parses its input, names the role it needs, and calls the
 * same domain functions the local CLI calls, with the admin's user id as the actor (USER-2).
 */

import type { AuditLog, LogSource } from '../../audit/index.js';
import { parseVerifierKey, verifyLog } from '../../audit/index.js';
import type { AdminLogin } from '../../auth/index.js';
import type { LocalCa } from '../../ca/index.js';
import { ErrorBody } from '../../csc/index.js';
import { ShomeiError } from '../../errors.js';
import type { HttpApp } from '../../http/server.js';
import type { CredentialStatus } from '../../store/index.js';
import type { User, Users } from '../../users/index.js';
import { callerOf, role } from './gate.js';
import {
  CheckpointResponse,
  CodeLoginRequest,
  CredentialList,
  CredentialQuery,
  CredentialView,
  CsrIssue,
  EnrolmentCodeResponse,
  IdParams,
  IssuedCertificate,
  LoginRequest,
  LoginResponse,
  ReasonRequest,
  RegisterRequest,
  UserList,
  UserQuery,
  UserView,
  VerifyRequest,
  VerifyResponse,
} from './schemas.js';

export interface AdminRouteDeps {
  readonly login: AdminLogin;
  readonly users: Users;
  /** CA-1: issuance from a CSR (key_admin). */
  readonly ca: Pick<LocalCa, 'issueFromCsr'>;
  readonly audit: AuditLog;
  /** The log as `shomei audit verify` reads it from the database. */
  readonly logSource: LogSource;
  readonly verifierKey: string;
  /** Where a signer redeems an enrolment code. */
  readonly enrolUrl: string;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const tags = ['admin'];
const bearer = [{ bearer: [] }];

const userView = (u: User) => ({ ...u, roles: [...u.roles] });

export function loginRoute(app: HttpApp, deps: AdminRouteDeps): void {
  app.post(
    '/login/token',
    {
      schema: {
        tags,
        body: CodeLoginRequest,
        response: { 200: LoginResponse, ...errors, 429: ErrorBody },
      },
    },
    async (req) => {
      const grant = await deps.login.loginWithCode({
        code: req.body.code,
        codeVerifier: req.body.code_verifier,
        redirectUri: req.body.redirect_uri,
      });
      return {
        access_token: grant.accessToken,
        token_type: 'Bearer' as const,
        expires_in: grant.expiresIn,
        level: grant.level,
        username: (await deps.users.get(grant.userId)).username,
      };
    },
  );
  app.post(
    '/login',
    {
      schema: {
        tags,
        security: [{ basic: [] }],
        body: LoginRequest,
        response: { 200: LoginResponse, ...errors, 429: ErrorBody },
      },
    },
    async (req) => {
      const grant = await deps.login.login(req.headers.authorization, req.body.totp);
      return {
        access_token: grant.accessToken,
        token_type: 'Bearer' as const,
        expires_in: grant.expiresIn,
        level: grant.level,
      };
    },
  );
}

/** registration_officer: USER-2 (register, suspend, reinstate), USER-3 (proofing), USER-4 (enrolment codes). */
export function userRoutes(app: HttpApp, deps: AdminRouteDeps): void {
  const officer = role('registration_officer');
  app.post(
    '/users',
    { ...officer, schema: { tags, security: bearer, body: RegisterRequest, response: { 201: UserView, ...errors } } },
    async (req, reply) => {
      const u = await deps.users.register({ ...req.body, email: req.body.email ?? null }, callerOf(req).userId);
      return reply.status(201).send(userView(u));
    },
  );
  app.get(
    '/users',
    { ...officer, schema: { tags, security: bearer, querystring: UserQuery, response: { 200: UserList, ...errors } } },
    async (req) => {
      const { username } = req.query;
      const found = username === undefined ? await deps.users.list() : [await deps.users.findByUsername(username)];
      return { users: found.filter((u) => u !== undefined).map(userView) };
    },
  );
  app.post(
    '/users/:id/enrolment-code',
    {
      ...officer,
      schema: { tags, security: bearer, params: IdParams, response: { 200: EnrolmentCodeResponse, ...errors } },
    },
    async (req) => {
      const code = await deps.users.issueEnrolmentCode(req.params.id, callerOf(req).userId);
      return {
        userId: req.params.id,
        code: code.code,
        expiresAt: new Date(code.expiresAt).toISOString(),
        enrolUrl: deps.enrolUrl,
      };
    },
  );
  const params = { tags, security: bearer, params: IdParams, response: { 200: UserView, ...errors } };
  app.post('/users/:id/suspend', { ...officer, schema: { ...params, body: ReasonRequest } }, async (req) => {
    await deps.users.suspend(req.params.id, req.body.reason, callerOf(req).userId);
    return userView(await deps.users.get(req.params.id));
  });
  app.post('/users/:id/reinstate', { ...officer, schema: params }, async (req) => {
    await deps.users.reinstate(req.params.id, callerOf(req).userId);
    return userView(await deps.users.get(req.params.id));
  });
}

/** key_admin: KEY-2 — a signer's credentials, and turning one off (or on again) with a reason. */
export function credentialRoutes(app: HttpApp, deps: AdminRouteDeps): void {
  const keyAdmin = role('key_admin');
  // CA-1 (B4): a certificate for a key held elsewhere, from its PKCS#10 request; recorded and logged.
  app.post(
    '/ca/certificates',
    {
      ...keyAdmin,
      schema: { tags, security: bearer, body: CsrIssue, response: { 201: IssuedCertificate, ...errors } },
    },
    async (req, reply) => {
      const b = req.body;
      const der = await deps.ca.issueFromCsr(
        {
          csr: b.csr,
          profile: b.profile,
          validityDays: b.validityDays ?? 365,
          ...(b.subjectDn ? { subjectDn: b.subjectDn } : {}),
          ...(b.dnsNames ? { dnsNames: b.dnsNames } : {}),
        },
        callerOf(req).userId,
      );
      return reply.status(201).send({ certificate: der.toString('base64') });
    },
  );
  app.get(
    '/credentials',
    {
      ...keyAdmin,
      schema: { tags, security: bearer, querystring: CredentialQuery, response: { 200: CredentialList, ...errors } },
    },
    async (req) => {
      const user = await deps.users.get(req.query.user);
      const list = await deps.users.listCredentials(user.id);
      return { credentials: list.map((c) => ({ ...c, factors: [...c.factors] })) };
    },
  );
  const verbs: ReadonlyArray<readonly [string, CredentialStatus]> = [
    ['disable', 'disabled'],
    ['enable', 'enabled'],
  ];
  for (const [verb, status] of verbs) {
    app.post(
      `/credentials/:id/${verb}`,
      {
        ...keyAdmin,
        schema: {
          tags,
          security: bearer,
          params: IdParams,
          body: ReasonRequest,
          response: { 200: CredentialView, ...errors },
        },
      },
      async (req) => {
        const c = await deps.users.setCredentialStatus(req.params.id, status, callerOf(req).userId, req.body.reason);
        return { ...c, factors: [...c.factors] };
      },
    );
  }
}

/** auditor: LOG-2 — the newest signed checkpoint, and the offline verifier run on the database. */
export function auditRoutes(app: HttpApp, deps: AdminRouteDeps): void {
  const auditor = role('auditor');
  app.get(
    '/audit/checkpoint',
    { ...auditor, schema: { tags, security: bearer, response: { 200: CheckpointResponse, ...errors } } },
    async () => {
      const cp = (await deps.audit.latest()) ?? (await deps.audit.checkpoint());
      if (!cp) throw new ShomeiError('invalid_state', { detail: 'the log is empty' });
      return { origin: cp.origin, size: cp.size, rootHash: cp.root.toString('base64'), time: cp.time, note: cp.note };
    },
  );
  app.post(
    '/audit/verify',
    {
      ...auditor,
      schema: { tags, security: bearer, body: VerifyRequest, response: { 200: VerifyResponse, ...errors } },
    },
    async (req) => {
      const key = req.body.key ?? deps.verifierKey;
      try {
        parseVerifierKey(key);
      } catch {
        throw new ShomeiError('invalid_parameter', { name: 'key' });
      }
      const report = await verifyLog(deps.logSource, key);
      const problems = report.problems.map(({ range, ...p }) => ({ ...p, ...(range ? { range: [...range] } : {}) }));
      return { ...report, problems, verifierKey: key };
    },
  );
}
