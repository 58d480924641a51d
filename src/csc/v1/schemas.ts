/**
 * Request and response schemas of the CSC API 1.0.4.0 methods (csc-api-v2.md §7): v1 field names
 * (`hash`, `hashAlgo`, `PIN`, `OTP`, `maxResults`/`pageToken`) validated at the edge like v2's.
 */
import { Type as T } from 'typebox';
import { CertInfo, MAX_HASHES } from '../schemas.js';

const Str = (max: number, extra: object = {}) => T.String({ maxLength: max, ...extra });
const Oid = Str(64, { pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$' });
const Hashes = T.Array(Str(100), { maxItems: MAX_HASHES });
const ClientData = T.Optional(Str(2048));

/** Largest page credentials/list returns, whatever maxResults asks. */
export const MAX_PAGE = 100;

export const ListRequestV1 = T.Object({
  userID: T.Optional(Str(255)),
  maxResults: T.Optional(T.Integer({ minimum: 1 })),
  pageToken: T.Optional(Str(64)),
  clientData: ClientData,
});
export const ListResponseV1 = T.Object({
  credentialIDs: T.Array(T.String()),
  nextPageToken: T.Optional(T.String()),
});

export const InfoRequestV1 = T.Object({
  credentialID: Str(255),
  certificates: T.Optional(T.Union([T.Literal('none'), T.Literal('single'), T.Literal('chain')])),
  certInfo: T.Optional(T.Boolean()),
  authInfo: T.Optional(T.Boolean()),
  lang: T.Optional(Str(35)),
  clientData: ClientData,
});

const Descriptor = {
  format: T.Optional(T.String()),
  label: T.Optional(T.String()),
  description: T.Optional(T.String()),
};
export const CredentialInfoV1 = T.Object({
  description: T.Optional(T.String()),
  key: T.Object({
    status: T.String(),
    algo: T.Array(T.String()),
    len: T.Integer(),
    curve: T.Optional(T.String()),
  }),
  cert: CertInfo,
  authMode: T.String(),
  PIN: T.Optional(T.Object({ presence: T.String(), ...Descriptor })),
  OTP: T.Optional(
    T.Object({
      presence: T.String(),
      type: T.Optional(T.String()),
      ID: T.Optional(T.String()),
      provider: T.Optional(T.String()),
      ...Descriptor,
    }),
  ),
  SCAL: T.String(),
  multisign: T.Integer(),
  lang: T.Optional(T.String()),
});

export const AuthorizeRequestV1 = T.Object({
  credentialID: Str(255),
  numSignatures: T.Integer(),
  hash: T.Optional(Hashes),
  /** Not in 1.0.4.0's authorize; accepted so a client can name it instead of our inferring it. */
  hashAlgo: T.Optional(Oid),
  PIN: T.Optional(Str(256)),
  OTP: T.Optional(Str(256)),
  description: T.Optional(Str(500)),
  clientData: ClientData,
});
export const AuthorizeResponseV1 = T.Object({ SAD: T.String(), expiresIn: T.Integer() });

export const ExtendRequestV1 = T.Object({
  credentialID: Str(255),
  SAD: Str(256),
  hash: T.Optional(Hashes),
  hashAlgo: T.Optional(Oid),
  PIN: T.Optional(Str(256)),
  OTP: T.Optional(Str(256)),
  clientData: ClientData,
});

export const SendOtpRequestV1 = T.Object({ credentialID: Str(255), clientData: ClientData });

export const SignHashRequestV1 = T.Object({
  credentialID: Str(255),
  SAD: T.Optional(Str(256)),
  hash: Hashes,
  hashAlgo: T.Optional(Oid),
  signAlgo: Oid,
  signAlgoParams: T.Optional(Str(1024)),
  clientData: ClientData,
});
export const SignHashResponseV1 = T.Object({ signatures: T.Array(T.String()) });
