/**
 * Request and response schemas of the CSC API v2 methods (csc-api-v2.md §3–§5). They validate
 * input at the edge (STYLE.md 7) and are the source of the OpenAPI document (API-3).
 * Limits keep every request small: no string or array is unbounded.
 */
import { type Static, Type as T } from 'typebox';

const Str = (max: number, extra: object = {}) => T.String({ maxLength: max, ...extra });
const Oid = Str(64, { pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$' });
const Hash = Str(100);
export const MAX_HASHES = 1000;

export const ErrorBody = T.Object({ error: T.String(), error_description: T.String() });

export const InfoRequest = T.Object({ lang: T.Optional(Str(35)) });

export const LoginRequest = T.Object({
  refresh_token: T.Optional(Str(256)),
  rememberMe: T.Optional(T.Boolean()),
  clientData: T.Optional(Str(2048)),
});
export const LoginResponse = T.Object({
  access_token: T.String(),
  refresh_token: T.Optional(T.String()),
  expires_in: T.Integer(),
});

export const RevokeRequest = T.Object({
  token: Str(256),
  token_type_hint: T.Optional(T.Union([T.Literal('access_token'), T.Literal('refresh_token')])),
  clientData: T.Optional(Str(2048)),
});

const CertificatesSelector = T.Union([T.Literal('none'), T.Literal('single'), T.Literal('chain')]);

const InfoSelectors = {
  certificates: T.Optional(CertificatesSelector),
  certInfo: T.Optional(T.Boolean()),
  authInfo: T.Optional(T.Boolean()),
  lang: T.Optional(Str(35)),
  clientData: T.Optional(Str(2048)),
};

export const ListRequest = T.Object({
  userID: T.Optional(Str(255)),
  credentialInfo: T.Optional(T.Boolean()),
  onlyValid: T.Optional(T.Boolean()),
  ...InfoSelectors,
});

export const CredentialInfoRequest = T.Object({ credentialID: Str(255), ...InfoSelectors });

const AuthObject = T.Object({
  type: T.String(),
  id: T.String(),
  format: T.Optional(T.String()),
  label: T.Optional(T.String()),
  description: T.Optional(T.String()),
  generator: T.Optional(T.String()),
});

/** `cert` of credentials/info, the same in v1 and v2. */
export const CertInfo = T.Object({
  status: T.Optional(T.String()),
  certificates: T.Optional(T.Array(T.String())),
  issuerDN: T.Optional(T.String()),
  serialNumber: T.Optional(T.String()),
  subjectDN: T.Optional(T.String()),
  validFrom: T.Optional(T.String()),
  validTo: T.Optional(T.String()),
});
export const CredentialInfo = T.Object({
  description: T.Optional(T.String()),
  signatureQualifier: T.Optional(T.String()),
  key: T.Object({
    status: T.Union([T.Literal('enabled'), T.Literal('disabled')]),
    algo: T.Array(T.String()),
    len: T.Integer(),
    curve: T.Optional(T.String()),
  }),
  cert: CertInfo,
  auth: T.Object({
    mode: T.String(),
    expression: T.Optional(T.String()),
    objects: T.Optional(T.Array(AuthObject)),
  }),
  SCAL: T.String(),
  multisign: T.Integer(),
  lang: T.Optional(T.String()),
});

export const ListResponse = T.Object({
  credentialIDs: T.Array(T.String()),
  credentialInfos: T.Optional(T.Array(T.Intersect([T.Object({ credentialID: T.String() }), CredentialInfo]))),
  onlyValid: T.Optional(T.Boolean()),
});

export const AuthorizeRequest = T.Object({
  credentialID: Str(255),
  numSignatures: T.Integer(),
  hashes: T.Optional(T.Array(Hash, { maxItems: MAX_HASHES })),
  hashAlgorithmOID: T.Optional(Oid),
  authData: T.Optional(T.Array(T.Object({ id: Str(64), value: T.Optional(Str(256)) }), { maxItems: 8 })),
  description: T.Optional(Str(500)),
  clientData: T.Optional(Str(2048)),
});
export const AuthorizeResponse = T.Object({ SAD: T.String(), expiresIn: T.Integer() });

export const AuthorizeCheckRequest = T.Object({ handle: Str(256) });

export const SignHashRequest = T.Object({
  credentialID: Str(255),
  SAD: T.Optional(Str(256)),
  hashes: T.Array(Hash, { maxItems: MAX_HASHES }),
  hashAlgorithmOID: T.Optional(Oid),
  signAlgo: Oid,
  signAlgoParams: T.Optional(Str(1024)),
  operationMode: T.Optional(T.Union([T.Literal('S'), T.Literal('A')])),
  validity_period: T.Optional(T.Integer()),
  response_uri: T.Optional(Str(2048)),
  clientData: T.Optional(Str(2048)),
});
export const SignHashResponse = T.Object({ signatures: T.Array(T.String()) });

/** signatures/signDoc format fields (§5.2); values are checked by formats/documents.ts. */
const DocFormat = {
  signature_format: Str(8),
  conformance_level: T.Optional(Str(32)),
  signed_envelope_property: T.Optional(Str(32)),
  signAlgo: Oid,
  signAlgoParams: T.Optional(Str(1024)),
  signed_props: T.Optional(T.Array(T.Object({ attribute_name: Str(64), attribute_value: T.Optional(Str(4096)) }))),
};
export const MAX_DOCUMENTS = 100;
export const SignDocRequest = T.Object({
  credentialID: T.Optional(Str(255)),
  signatureQualifier: T.Optional(Str(64)),
  SAD: T.Optional(Str(256)),
  documentDigests: T.Optional(
    T.Array(
      T.Object({ hashes: T.Array(Hash, { maxItems: MAX_HASHES }), hashAlgorithmOID: T.Optional(Oid), ...DocFormat }),
      { maxItems: MAX_DOCUMENTS },
    ),
  ),
  documents: T.Optional(T.Array(T.Object({ document: T.String(), ...DocFormat }), { maxItems: MAX_DOCUMENTS })),
  operationMode: T.Optional(T.Union([T.Literal('S'), T.Literal('A')])),
  validity_period: T.Optional(T.Integer()),
  response_uri: T.Optional(Str(2048)),
  clientData: T.Optional(Str(2048)),
  returnValidationInfo: T.Optional(T.Boolean()),
  returnValidationInformation: T.Optional(T.Boolean()),
});
export const SignDocResponse = T.Object({
  DocumentWithSignature: T.Optional(T.Array(T.String())),
  SignatureObject: T.Optional(T.Array(T.String())),
  validationInfo: T.Optional(
    T.Object({ ocsp: T.Array(T.String()), crl: T.Array(T.String()), certificates: T.Array(T.String()) }),
  ),
});

export type TLoginRequest = Static<typeof LoginRequest>;
export type TListRequest = Static<typeof ListRequest>;
export type TCredentialInfoRequest = Static<typeof CredentialInfoRequest>;
export type TAuthorizeRequest = Static<typeof AuthorizeRequest>;
export type TSignHashRequest = Static<typeof SignHashRequest>;
export type TSignDocRequest = Static<typeof SignDocRequest>;
export type TCredentialInfo = Static<typeof CredentialInfo>;
