/**
 * Table types for Kysely. Times are epoch milliseconds (bigint columns, read back as numbers);
 * binary columns are Buffers (BLOB in SQLite, bytea in PostgreSQL); flags are 0/1 integers so both
 * dialects agree. Which module owns which table is part of the architecture (DESIGN.md):
 *   DB-1 (users/): users, identity_proofing, enrolment_codes, credentials
 *   DB-2 (keys/):  keys, key_certificates, ca_authorities
 *   auth/:         access_tokens, sads, sad_hashes
 *   audit/:        audit_leaves, audit_checkpoints
 */
// Every id is chosen by the application (UUIDs, sequence numbers assigned under the log's lock), so
// both dialects behave the same; Generated marks only columns added later with a default (004).
import type { Generated } from 'kysely';
import type {
  CaAuthoritiesTable,
  CaCertificatesTable,
  CaCrlsTable,
  KeyCertificatesPreviousTable,
  KeyCertificatesTable,
  KeysTable,
  TsaTokensTable,
} from './schema-pki.js';

export * from './schema-pki.js';

export type UserStatus = 'pending' | 'active' | 'suspended' | 'terminated';

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  status: UserStatus;
  /** scrypt verifier of the login password (auth/login). */
  password_verifier: string | null;
  /** scrypt verifier of the signing PIN (credentials/authorize). */
  pin_verifier: string | null;
  login_failures: number;
  login_locked_until: number | null;
  pin_failures: number;
  pin_locked_until: number | null;
  /** TOTP secret sealed under the factor key (auth/factors/factor-key.ts); null = not enrolled. */
  totp_secret: Generated<string | null>;
  /** RFC 6238 time-step of the last accepted TOTP code: codes for it or earlier are replays. */
  totp_last_step: Generated<number | null>;
  /** API-2: administrative roles, comma-separated (registration_officer, key_admin, auditor). */
  roles: Generated<string>;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface IdentityProofingTable {
  id: string;
  user_id: string;
  /** e.g. 'in-person', 'remote-video', 'derived-credential' (USER-3). */
  method: string;
  officer: string;
  document_ref: string;
  /** JSON: free-form evidence (e.g. the verified signature for a derived credential). */
  evidence: string;
  verified_at: number;
}

export interface EnrolmentCodesTable {
  id: string;
  user_id: string;
  /** SHA-256 (hex) of the code: the code itself is never stored (USER-4). */
  code_hash: string;
  expires_at: number;
  used_at: number | null;
  created_by: string;
  created_at: number;
}

export type CredentialStatus = 'enabled' | 'disabled';

export interface CredentialsTable {
  id: string;
  user_id: string;
  key_id: string;
  description: string;
  status: CredentialStatus;
  /** CSC SCAL: '1' (count-bound SAD) or '2' (hash-bound SAD). */
  scal: string;
  /** Maximum numSignatures per authorisation (AUTH-5). */
  multisign: number;
  /** AUTH-4: the factors credentials/authorize requires, comma-separated ('PIN', 'PIN,TOTP', 'PIN,OTP'). */
  factors: Generated<string>;
  /** AUTH-4: required assurance level: 2 (PIN only), 3 (PIN + possession factor), 4 (WebAuthn UV). */
  level: Generated<number>;
  /** CSC auth modes the credential may be activated through, comma-separated ('explicit', 'oauth2code'). */
  auth_modes: Generated<string>;
  /** AUTH-5: this credential's cap on a SAD's lifetime in seconds (PIN caching); null = the service's. */
  sad_ttl_seconds: Generated<number | null>;
  /** SEAL-1: user ids of the named operators of an e-seal credential, comma-separated. */
  operators: Generated<string>;
  created_at: number;
  updated_at: number;
}

/** Out-of-band OTP challenges (credentials/getChallenge): keyed hash only, single use, expiring. */
export interface OtpChallengesTable {
  id: string;
  user_id: string;
  credential_id: string;
  /** HMAC-SHA-256 (hex) of the code under the factor key: a 6-8 digit code must not be brute-forced offline. */
  code_hash: string;
  attempts: number;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface AccessTokensTable {
  id: string;
  /** SHA-256 (hex) of the opaque token; the token itself is never stored. */
  token_hash: string;
  session_id: string;
  user_id: string;
  client_id: string;
  scope: string;
  kind: 'access' | 'refresh';
  /** AUTH-4: the level the session authenticated at (1 password, 2 PIN, 3 two factors, 4 WebAuthn UV). */
  level: Generated<number>;
  expires_at: number;
  revoked_at: number | null;
  created_at: number;
}

export interface SadsTable {
  id: string;
  /** SHA-256 (hex) of the opaque SAD handle. */
  sad_hash: string;
  credential_id: string;
  user_id: string;
  client_id: string;
  session_id: string;
  hash_algorithm_oid: string | null;
  num_signatures: number;
  remaining: number;
  /** 1 when the SAD is bound to exact hashes (sad_hashes rows), 0 for a plain count (SCAL1). */
  bound: number;
  expires_at: number;
  created_at: number;
}

export interface SadHashesTable {
  sad_id: string;
  idx: number;
  /** The authorised digest, base64. One row per occurrence, so a digest authorised once is signed once. */
  hash: string;
  spent_at: number | null;
}

/** Registered OAuth2 clients (oauth/): secrets only as scrypt verifiers. JSON arrays as text. */
export interface OAuthClientsTable {
  id: string;
  name: string;
  auth_method: 'client_secret_basic' | 'private_key_jwt';
  secret_verifier: string | null;
  /** JWK Set (JSON) of a private_key_jwt client. */
  jwks: string | null;
  redirect_uris: string;
  grant_types: string;
  /** The account a client_credentials (e-seal) client acts for. */
  service_user_id: string | null;
  status: 'enabled' | 'disabled';
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** Authorisation codes: SHA-256 (hex) of the code only; single use (used_at), 60 s. */
export interface OAuthCodesTable {
  id: string;
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: 'service' | 'credential' | 'credential_management' | 'admin';
  /** PKCE S256 challenge (RFC 7636 §4.2). */
  code_challenge: string;
  credential_id: string | null;
  num_signatures: number | null;
  hash_algorithm_oid: string | null;
  /** JSON array of base64 digests authorised with the code. */
  hashes: string | null;
  login_session_id: string | null;
  auth_time: number;
  level: number;
  expires_at: number;
  used_at: number | null;
  replayed_at: number | null;
  /** Session of the tokens issued for the code: revoked if the code is replayed (RFC 6749 §4.1.2). */
  token_session_id: string | null;
  created_at: number;
}

/** Pushed authorisation requests (RFC 9126): SHA-256 (hex) of the request_uri's secret part; one use. */
export interface OAuthParTable {
  id: string;
  request_hash: string;
  client_id: string;
  /** JSON object of the validated authorize parameters. */
  params: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

/** private_key_jwt assertion ids seen, kept until the assertion expires (RFC 7523 §3 item 7). */
export interface OAuthJtisTable {
  client_id: string;
  jti: string;
  expires_at: number;
}

export interface AuditLeavesTable {
  seq: number;
  /** RFC 6962 leaf hash: SHA-256(0x00 || data). */
  leaf_hash: Buffer;
  /** Canonical JSON of the event, UTF-8. */
  data: Buffer;
  created_at: number;
}

export interface AuditCheckpointsTable {
  size: number;
  root_hash: Buffer;
  /** The C2SP signed note, verbatim. */
  note: string;
  created_at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

/** A registered WebAuthn authenticator (USER-1). */
export interface WebAuthnCredentialsTable {
  /** Credential id, base64url. */
  id: string;
  user_id: string;
  /** COSE public key, base64url. */
  public_key: string;
  /** Last signature counter seen; a counter that does not grow marks a cloned authenticator. */
  sign_count: number;
  /** JSON array of AuthenticatorTransport. */
  transports: string;
  aaguid: string;
  label: string;
  status: 'active' | 'disabled';
  created_at: number;
  last_used_at: number | null;
}

/** One authorisation (or security-key registration) on the RSSP's pages (WEB-1). */
export interface WebFlowsTable {
  id: string;
  /** SHA-256 (hex) of the flow cookie. */
  cookie_hash: string;
  /** SHA-256 (hex) of the CSRF token the pages post back. */
  csrf_hash: string;
  kind: 'authorize' | 'register';
  /** 'login' → 'consent' → 'done'. */
  step: string;
  user_id: string | null;
  /** JSON of the validated request this flow serves. */
  request: string;
  /** WebAuthn challenge (base64url) outstanding, if any. */
  challenge: string | null;
  /** Assurance level reached so far. */
  level: Generated<number>;
  auth_time: number | null;
  failures: Generated<number>;
  expires_at: number;
  done_at: number | null;
  created_at: number;
}

/** signing/async: a CSC `operationMode: "A"` request (migration 008). */
export interface AsyncResultsTable {
  /** SHA-256 (hex) of the responseID: the handle itself is never stored. */
  id: string;
  user_id: string;
  client_id: string;
  /** 'signHash' | 'signDoc'. */
  kind: string;
  /** 'pending' | 'done' | 'failed' | 'fetched' | 'expired'. */
  status: string;
  /** The response body, AES-256-GCM under a key derived from the responseID; null once gone. */
  body: Buffer | null;
  /** Catalogue code of a failure after acceptance. */
  error_code: string | null;
  created_at: number;
  expires_at: number;
}

export interface Database {
  users: UsersTable;
  identity_proofing: IdentityProofingTable;
  enrolment_codes: EnrolmentCodesTable;
  credentials: CredentialsTable;
  keys: KeysTable;
  key_certificates: KeyCertificatesTable;
  key_certificates_previous: KeyCertificatesPreviousTable;
  ca_authorities: CaAuthoritiesTable;
  access_tokens: AccessTokensTable;
  sads: SadsTable;
  sad_hashes: SadHashesTable;
  oauth_clients: OAuthClientsTable;
  oauth_codes: OAuthCodesTable;
  oauth_jtis: OAuthJtisTable;
  oauth_par: OAuthParTable;
  otp_challenges: OtpChallengesTable;
  webauthn_credentials: WebAuthnCredentialsTable;
  ca_certificates: CaCertificatesTable;
  ca_crls: CaCrlsTable;
  web_flows: WebFlowsTable;
  tsa_tokens: TsaTokensTable;
  async_results: AsyncResultsTable;
  audit_leaves: AuditLeavesTable;
  audit_checkpoints: AuditCheckpointsTable;
  meta: MetaTable;
}
