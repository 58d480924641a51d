/**
 * Request and response schemas of the admin API (API-2): they validate input at the edge (STYLE.md
 * 7), are the source of its OpenAPI document (API-3), and type the CLI's client (client.ts).
 */
import { type Static, Type as T } from 'typebox';

const Str = (max: number) => T.String({ minLength: 1, maxLength: max });
const Id = T.String({ minLength: 1, maxLength: 64 });

export const LoginRequest = T.Object({ totp: T.String({ maxLength: 16 }) });
/** CA-1: a PKCS#10 request (PEM, or base64 DER) for a key held elsewhere. */
export const CsrIssue = T.Object(
  {
    csr: T.String({ minLength: 1, maxLength: 24_000 }),
    profile: T.Union([T.Literal('signing'), T.Literal('seal'), T.Literal('tsa'), T.Literal('tls')]),
    validityDays: T.Optional(T.Integer({ minimum: 1, maximum: 3650 })),
    subjectDn: T.Optional(T.String({ minLength: 1, maxLength: 1024 })),
    dnsNames: T.Optional(T.Array(T.String({ minLength: 1, maxLength: 253 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export const IssuedCertificate = T.Object({ certificate: T.String() });

/** Level 4: the code the RSSP's page sent to the command line's loopback redirect (RFC 8252). */
export const CodeLoginRequest = T.Object({
  code: T.String({ maxLength: 64 }),
  code_verifier: T.String({ maxLength: 128 }),
  redirect_uri: T.String({ maxLength: 512 }),
});
export const LoginResponse = T.Object({
  access_token: T.String(),
  token_type: T.Literal('Bearer'),
  expires_in: T.Integer(),
  level: T.Integer(),
  /** Who signed in (a security-key sign-in names no user beforehand). */
  username: T.Optional(T.String()),
});

export const UserView = T.Object({
  id: T.String(),
  username: T.String(),
  displayName: T.String(),
  email: T.Union([T.String(), T.Null()]),
  status: T.String(),
  roles: T.Array(T.String()),
  hasPassword: T.Boolean(),
  hasPin: T.Boolean(),
  createdBy: T.String(),
  createdAt: T.Integer(),
  updatedAt: T.Integer(),
});
export const UserList = T.Object({ users: T.Array(UserView) });
export const UserQuery = T.Object({ username: T.Optional(Str(128)) });

/** USER-3: registration only with identity-proofing evidence. */
export const RegisterRequest = T.Object({
  username: Str(128),
  displayName: Str(200),
  email: T.Optional(Str(254)),
  proofing: T.Object({
    method: Str(64),
    officer: Str(128),
    documentRef: Str(256),
  }),
});

export const IdParams = T.Object({ id: Id });
/** Changes that take something away say why; the reason goes into the log with the actor. */
export const ReasonRequest = T.Object({ reason: Str(200) });

export const EnrolmentCodeResponse = T.Object({
  userId: T.String(),
  code: T.String(),
  expiresAt: T.String({ description: 'ISO 8601' }),
  enrolUrl: T.String(),
});

export const CredentialView = T.Object({
  id: T.String(),
  userId: T.String(),
  keyId: T.String(),
  description: T.String(),
  status: T.String(),
  scal: T.String(),
  multisign: T.Integer(),
  factors: T.Array(T.String()),
  createdAt: T.Integer(),
  updatedAt: T.Integer(),
});
export const CredentialList = T.Object({ credentials: T.Array(CredentialView) });
export const CredentialQuery = T.Object({ user: Id });

export const CheckpointResponse = T.Object({
  origin: T.String(),
  size: T.Integer(),
  rootHash: T.String({ description: 'base64' }),
  time: T.Integer(),
  note: T.String({ description: 'the signed note (C2SP tlog-checkpoint), verbatim' }),
});

export const VerifyRequest = T.Object({
  key: T.Optional(
    T.String({ minLength: 1, maxLength: 512, description: "a pinned verifier key; default: the service's own" }),
  ),
});
export const VerifyResponse = T.Object({
  ok: T.Boolean(),
  size: T.Integer(),
  checkpoints: T.Integer(),
  latest: T.Optional(T.Object({ size: T.Integer(), time: T.Integer() })),
  pending: T.Integer(),
  problems: T.Array(
    T.Object({
      code: T.String(),
      message: T.String(),
      seq: T.Optional(T.Integer()),
      checkpoint: T.Optional(T.Integer()),
      range: T.Optional(T.Array(T.Integer())),
    }),
  ),
  omitted: T.Integer(),
  verifierKey: T.String(),
});

export type LoginResult = Static<typeof LoginResponse>;
export type UserRecord = Static<typeof UserView>;
export type Registration = Static<typeof RegisterRequest>;
export type EnrolmentCodeResult = Static<typeof EnrolmentCodeResponse>;
export type CredentialRecord = Static<typeof CredentialView>;
export type CheckpointResult = Static<typeof CheckpointResponse>;
export type VerifyResult = Static<typeof VerifyResponse>;
