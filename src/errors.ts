/**
 * The one error catalogue (STYLE.md 8). Every failure a client can see has a stable code here,
 * mapped once to an HTTP status and a CSC `error` / `error_description` (csc-api-v2.md §2).
 * Domain code throws `ShomeiError(code, params)`; only the HTTP edge turns it into a response.
 */

type Describe = string | ((p: Record<string, string>) => string);

interface CatalogueEntry {
  readonly status: number;
  /** CSC / OAuth `error` value. */
  readonly error: string;
  readonly description: Describe;
}

const entry = (status: number, error: string, description: Describe): CatalogueEntry => ({
  status,
  error,
  description,
});

export const catalogue = {
  // --- request shape (400 invalid_request) ---
  malformed_auth_header: entry(400, 'invalid_request', 'Malformed authorization header'),
  missing_string: entry(400, 'invalid_request', (p) => `Missing (or invalid type) string parameter ${p.name}`),
  missing_integer: entry(400, 'invalid_request', (p) => `Missing (or invalid type) integer parameter ${p.name}`),
  missing_array: entry(400, 'invalid_request', (p) => `Missing (or invalid type) array parameter ${p.name}`),
  missing_boolean: entry(400, 'invalid_request', (p) => `Missing (or invalid type) boolean parameter ${p.name}`),
  invalid_parameter: entry(400, 'invalid_request', (p) => `Invalid parameter ${p.name}`),
  unknown_parameter: entry(400, 'invalid_request', (p) => `Unknown parameter ${p.name}`),
  invalid_body: entry(400, 'invalid_request', 'The request body is not valid JSON'),
  body_too_large: entry(413, 'invalid_request', 'The request body is too large'),
  unsupported_media_type: entry(415, 'invalid_request', 'Content-Type must be application/json'),
  invalid_base64_hash: entry(400, 'invalid_request', 'Invalid Base64 hash string parameter'),
  empty_hash_array: entry(400, 'invalid_request', 'Empty hash array'),
  // signatures/signDoc (csc-api-v2.md §2, §5.2).
  signdoc_both: entry(400, 'invalid_request', 'Both documentDigests and documents parameters passed'),
  signdoc_empty: entry(400, 'invalid_request', 'Empty documentDigests and documents objects'),
  signdoc_not_authorized: entry(400, 'invalid_request', 'documentDigests or documents are not authorized by the SAD'),
  invalid_digest_length: entry(400, 'invalid_request', 'Invalid digest value length'),
  user_id_must_be_null: entry(400, 'invalid_request', 'userID parameter MUST be null'),
  invalid_num_signatures: entry(400, 'invalid_request', 'Invalid value for parameter numSignatures'),
  too_many_signatures: entry(400, 'invalid_request', 'Numbers of signatures is too high'),
  hash_algorithm_contradicts: entry(
    400,
    'invalid_request',
    'String parameter hashAlgorithmOID contradicts with signAlgo parameter',
  ),
  unsupported_algorithm: entry(400, 'invalid_request', (p) => `Unsupported algorithm: ${p.detail}`),
  not_found: entry(404, 'invalid_request', 'Unknown method'),
  method_not_allowed: entry(405, 'invalid_request', 'CSC methods are called with POST'),

  // --- authentication (auth/login, bearer tokens) ---
  authentication_error: entry(401, 'authentication_error', 'Invalid username or password'),
  malformed_credentials: entry(400, 'invalid_request', 'Malformed username-password'),
  invalid_refresh_token: entry(400, 'invalid_request', 'Invalid refresh_token'),
  invalid_token: entry(401, 'invalid_token', 'Invalid or missing access token'),
  expired_token: entry(401, 'expired_token', 'The access token has expired'),
  account_locked: entry(429, 'access_denied', (p) => `Too many failed attempts; try again in ${p.retryAfter} s`),
  account_suspended: entry(403, 'access_denied', 'The account is not active'),
  insufficient_scope: entry(403, 'insufficient_scope', 'The access token does not allow this method'),
  sad_in_two_carriers: entry(400, 'invalid_request', 'A credential-scoped token and a SAD parameter were both given'),

  // --- OAuth2 authorisation server (RFC 6749 §4.1.2.1, §5.2; csc-api-v2.md §3.4-§3.7) ---
  oauth_invalid_request: entry(400, 'invalid_request', (p) => `Invalid parameter ${p.name}`),
  oauth_missing_parameter: entry(400, 'invalid_request', (p) => `Missing parameter ${p.name}`),
  oauth_duplicate_parameter: entry(400, 'invalid_request', (p) => `Repeated parameter ${p.name}`),
  invalid_client: entry(401, 'invalid_client', 'Client authentication failed'),
  invalid_grant: entry(400, 'invalid_grant', 'The authorization grant is invalid, expired or already used'),
  redirect_uri_mismatch: entry(400, 'invalid_grant', 'redirect_uri parameter does not match'),
  pkce_mismatch: entry(400, 'invalid_grant', 'code_verifier does not match the code_challenge'),
  unauthorized_client: entry(400, 'unauthorized_client', 'The client is not allowed to use this grant type'),
  unsupported_grant_type: entry(400, 'unsupported_grant_type', 'Unsupported grant_type'),
  unsupported_response_type: entry(400, 'unsupported_response_type', 'Only response_type=code is supported'),
  invalid_scope: entry(400, 'invalid_scope', 'Invalid parameter scope'),
  unknown_client: entry(400, 'invalid_request', 'Unknown or disabled client_id'),
  invalid_redirect_uri: entry(400, 'invalid_request', 'redirect_uri is not registered for this client'),
  invalid_request_uri: entry(400, 'invalid_request', 'Invalid parameter request_uri: unknown, used or expired'),

  // --- the RSSP's own pages (WEB-1) and assurance levels (AUTH-4) ---
  access_denied_by_user: entry(400, 'access_denied', 'The signer declined the request'),
  csrf_failed: entry(403, 'invalid_request', 'The form did not come from this page; start again from the application'),
  flow_expired: entry(
    400,
    'invalid_request',
    'This sign-in page expired or was already used; start again from the application',
  ),
  flow_attempts: entry(400, 'access_denied', 'Too many failed attempts on the authorisation page'),
  flow_step: entry(409, 'invalid_request', 'This step is not available now; reload the page'),
  webauthn_failed: entry(400, 'access_denied', 'The security key could not be verified'),
  no_security_key: entry(403, 'access_denied', 'No security key is registered for this signer'),
  auth_mode_not_allowed: entry(
    400,
    'invalid_request',
    (p) => `The credential's policy does not allow authMode ${p.mode}`,
  ),
  insufficient_level: entry(
    403,
    'access_denied',
    (p) => `The credential requires assurance level ${p.required}; the authentication reached level ${p.reached}`,
  ),

  // --- credentials / SAD (credentials/*, signatures/*) ---
  invalid_credential: entry(400, 'invalid_request', 'Invalid parameter credentialID'),
  credential_disabled: entry(400, 'invalid_request', 'The credential is disabled'),
  credential_locked: entry(400, 'invalid_request', 'Credential locked'),
  invalid_authentication_data: entry(400, 'invalid_authentication_data', 'Invalid authentication data'),
  invalid_pin: entry(400, 'invalid_pin', (p) => `The PIN is invalid; ${p.remaining} attempts left`),
  invalid_otp: entry(400, 'invalid_otp', 'The OTP is invalid'),
  invalid_auth_object: entry(400, 'invalid_request', 'Invalid parameter authObjectID'),
  invalid_sad: entry(400, 'invalid_request', 'Invalid parameter SAD'),
  sad_expired: entry(400, 'invalid_request', 'SAD expired'),
  sad_spent: entry(400, 'invalid_request', 'The SAD has no signatures left'),
  hash_not_authorized: entry(400, 'invalid_request', 'Hash is not authorized by the SAD'),
  invalid_handle: entry(400, 'invalid_request', 'Invalid parameter handle'),
  certificate_expired: entry(400, 'invalid_request', 'Signing certificate is expired'),
  certificate_not_valid: entry(400, 'invalid_request', 'Signing certificate is not valid'),
  async_not_supported: entry(
    400,
    'invalid_request',
    'Invalid parameter operationMode: asynchronous mode is not offered',
  ),

  // --- administrative / domain ---
  conflict: entry(409, 'invalid_request', (p) => `Already exists: ${p.what}`),
  unknown_user: entry(404, 'invalid_request', 'Unknown user'),
  unknown_key: entry(404, 'invalid_request', 'Unknown key'),
  invalid_state: entry(409, 'invalid_request', (p) => `Not allowed in the current state: ${p.detail}`),
  enrolment_code_invalid: entry(400, 'invalid_grant', 'The enrolment code is invalid, used or expired'),
  weak_secret: entry(400, 'invalid_request', (p) => `The ${p.what} does not meet the policy: ${p.detail}`),
  certificate_mismatch: entry(400, 'invalid_request', (p) => `The certificate chain does not match: ${p.detail}`),
  rate_limited: entry(429, 'temporarily_unavailable', 'Too many requests'),

  // --- admin API (API-2): `error` is the code itself, so scripts can tell the refusals apart ---
  admin_security_key_required: entry(
    403,
    'admin_security_key_required',
    'Admin sign-in needs a security key on the RSSP page (admin.requiredLevel is 4); password + TOTP login is off',
  ),
  admin_scope_required: entry(403, 'admin_scope_required', 'This is not an admin access token'),
  admin_level_required: entry(
    403,
    'admin_level_required',
    (p) => `The admin API requires assurance level ${p.required}; this session reached level ${p.level}`,
  ),
  admin_role_required: entry(403, 'admin_role_required', (p) => `This operation needs the ${p.role} role`),

  // --- server side (never with internals) ---
  keystore_error: entry(500, 'server_error', 'The key store could not complete the operation'),
  unavailable: entry(503, 'temporarily_unavailable', 'The service is temporarily unavailable'),
  internal: entry(500, 'server_error', 'Internal error'),

  // --- PKCS#11 key store (SIGN-5); details stay in the cause, never in the response ---
  pkcs11_module_unavailable: entry(500, 'server_error', 'The PKCS#11 module could not be loaded'),
  pkcs11_token_not_present: entry(503, 'temporarily_unavailable', 'The PKCS#11 token is not present'),
  pkcs11_pin_incorrect: entry(500, 'server_error', 'The PKCS#11 token rejected the configured PIN'),
  pkcs11_pin_locked: entry(503, 'temporarily_unavailable', 'The PKCS#11 token PIN is locked'),
  pkcs11_device_memory: entry(507, 'server_error', 'The PKCS#11 token is out of memory (full)'),
  pkcs11_device_error: entry(503, 'temporarily_unavailable', 'The PKCS#11 device reported an error'),
  // --- key lifecycle (KEY-2): import, transfer; never says which of password or file was wrong ---
  pkcs12_invalid: entry(400, 'invalid_request', 'The PKCS#12 file cannot be opened: wrong password or damaged file'),
  pkcs12_unsupported: entry(400, 'invalid_request', (p) => `Unsupported PKCS#12 file: ${p.detail}`),
  proof_of_possession_failed: entry(400, 'invalid_request', (p) => `Proof of possession failed: ${p.detail}`),
  key_transfer_invalid: entry(400, 'invalid_request', (p) => `The transferred key cannot be unwrapped: ${p.detail}`),
  insecure_transport: entry(403, 'access_denied', 'Keys are uploaded over TLS only'),
  // --- key backup (BACKUP-1, BACKUP-2); never says which of passphrase or file was wrong ---
  backup_invalid: entry(400, 'invalid_request', 'The backup cannot be opened: wrong passphrase or damaged file'),
  backup_share_invalid: entry(400, 'invalid_request', (p) => `Invalid backup share: ${p.detail}`),
  backup_shares_insufficient: entry(
    400,
    'invalid_request',
    (p) => `Not enough backup shares: ${p.have} distinct given, ${p.need} needed`,
  ),
  // --- CMS / CAdES / revocation collection (FMT-1; src/formats/cms, cades, ltv) ---
  cms_malformed: entry(400, 'invalid_request', (p) => `The CMS signature cannot be read: ${p.detail}`),
  format_service_missing: entry(
    400,
    'invalid_request',
    (p) => `Level ${p.level} needs a ${p.service}, which is not configured`,
  ),
  revocation_unavailable: entry(
    503,
    'temporarily_unavailable',
    (p) => `Revocation data could not be obtained for ${p.subject}: ${p.detail}`,
  ),
  timestamp_invalid: entry(
    502,
    'server_error',
    (p) => `The time-stamping authority returned an unusable token: ${p.detail}`,
  ),
  // --- JAdES (FMT-1, ETSI TS 119 182-1; src/formats/jades) ---
  jades_invalid_option: entry(400, 'invalid_request', (p) => `Invalid JAdES option ${p.name}: ${p.detail}`),
  jades_needs_json: entry(
    400,
    'invalid_request',
    (p) => `JAdES ${p.level} carries unsigned properties (etsiU), which need the JSON serialization`,
  ),
  jades_malformed: entry(400, 'invalid_request', (p) => `The JAdES signature cannot be read: ${p.detail}`),
  jades_invalid: entry(400, 'invalid_request', (p) => `The JAdES signature does not verify: ${p.detail}`),
  // --- PAdES (FMT-1, ETSI EN 319 142-1; src/formats/pades) ---
  pdf_malformed: entry(400, 'invalid_request', (p) => `The PDF cannot be read: ${p.detail}`),
  pdf_encrypted: entry(400, 'invalid_request', 'Encrypted PDFs cannot be signed'),
  pdf_signature_too_large: entry(
    500,
    'server_error',
    (p) => `The signature (${p.size} bytes) does not fit the ${p.room} bytes reserved for it in the PDF`,
  ),
  // --- XAdES and untrusted XML (FMT-1, ETSI EN 319 132-1; src/formats/xades) ---
  xml_invalid: entry(400, 'invalid_request', (p) => `The XML document cannot be read: ${p.detail}`),
  xml_doctype_forbidden: entry(400, 'invalid_request', 'XML documents with a DOCTYPE (DTD, entities) are refused'),
  xml_too_large: entry(413, 'invalid_request', (p) => `The XML document is larger than ${p.max} bytes`),
  xades_signature_invalid: entry(400, 'invalid_request', (p) => `The XAdES signature does not verify: ${p.detail}`),
  // --- time-stamping (TSA-1; src/tsa): HTTP-level faults of POST /tsa, CSC signatures/timestamp, external TSAs ---
  tsa_unsupported_media_type: entry(415, 'invalid_request', 'Content-Type must be application/timestamp-query'),
  tsa_method_not_allowed: entry(405, 'invalid_request', 'Time-stamp requests are sent with POST (RFC 3161 §3.4)'),
  empty_hash: entry(400, 'invalid_request', 'Empty hash parameter'),
  tsa_unreachable: entry(502, 'server_error', (p) => `The time-stamping authority could not be reached: ${p.detail}`),
  tsa_refused: entry(502, 'server_error', (p) => `The time-stamping authority refused the request: ${p.detail}`),
  tsa_response_invalid: entry(
    502,
    'server_error',
    (p) => `The time-stamping authority's response is not acceptable: ${p.detail}`,
  ),
  // --- trust anchors and ETSI TS 119 612 trust lists (TRUST-1; src/validation/trust) ---
  trust_anchor_invalid: entry(
    400,
    'invalid_request',
    (p) => `The trust anchor ${p.source} cannot be used: ${p.detail}`,
  ),
  trust_list_invalid: entry(400, 'invalid_request', (p) => `The trust list ${p.source} cannot be read: ${p.detail}`),
  trust_list_signature_invalid: entry(
    400,
    'invalid_request',
    (p) => `The trust list ${p.source} is refused: its signature does not verify (${p.detail})`,
  ),
  trust_list_expired: entry(
    400,
    'invalid_request',
    (p) => `The trust list ${p.source} is refused: its NextUpdate (${p.nextUpdate}) has passed`,
  ),
  trust_list_unavailable: entry(
    502,
    'server_error',
    (p) => `The trust list ${p.source} could not be obtained: ${p.detail}`,
  ),
  // --- evidence bundles (LOG-4; src/evidence) ---
  evidence_signature_not_found: entry(404, 'invalid_request', (p) => `No signature.create entry matches ${p.id}`),
  evidence_incomplete: entry(
    409,
    'invalid_request',
    (p) => `The evidence for signature ${p.id} cannot be assembled: ${p.detail}`,
  ),
  // --- AdES validation reports (VERIFY; src/validation/ades, POST /validation, shomei verify) ---
  validation_unsupported_document: entry(
    400,
    'invalid_request',
    'The document is not a signed PDF, CMS, XML or JWS document',
  ),
  validation_no_trust_anchor: entry(400, 'invalid_request', 'No trust anchor was given to validate against'),
  validation_document_malformed: entry(
    400,
    'invalid_request',
    (p) => `The signed document cannot be read: ${p.detail}`,
  ),
  // --- CSC API v1.0.4.0 shim (src/csc/v1): v1 wording where it differs from v2 (csc-api-v2.md §2, §7) ---
  csc_v1_pin_locked: entry(400, 'invalid_request', 'PIN locked'),
  csc_v1_not_implemented: entry(501, 'invalid_request', (p) => `Method ${p.method} is not implemented: ${p.detail}`),
  // --- CSC asynchronous mode (src/signing/async, src/csc/routes-async.ts; csc-api-v2.md §5.1, §5.3) ---
  async_validity_out_of_bounds: entry(400, 'invalid_request', 'Out of bounds parameter validity_period'),
  async_unknown_request: entry(400, 'invalid_request', 'Invalid parameter requestID'),
  async_result_expired: entry(400, 'invalid_request', 'The result of the asynchronous request has expired'),
  async_result_fetched: entry(400, 'invalid_request', 'The result of the asynchronous request was already fetched'),
  async_signing_failed: entry(500, 'server_error', 'The asynchronous signature request failed'),
  // --- CSC API 2.2 additions (src/csc/v22; csc-api-v2.md §4.7, TS 119 432 §5.4/§7.8) ---
  csc22_subject_mismatch: entry(403, 'access_denied', "subjectData does not match the signer's identity record"),
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof catalogue;

export class ShomeiError extends Error {
  readonly code: ErrorCode;
  readonly params: Record<string, string>;

  constructor(code: ErrorCode, params: Record<string, string> = {}, options?: { cause?: unknown }) {
    super(describe(code, params), options);
    this.name = 'ShomeiError';
    this.code = code;
    this.params = params;
  }

  get status(): number {
    return catalogue[this.code].status;
  }
}

export function describe(code: ErrorCode, params: Record<string, string> = {}): string {
  const d = catalogue[code].description;
  return typeof d === 'function' ? d(params) : d;
}

/** The CSC / OAuth body for an error: `{ error, error_description }`. */
export function toCscBody(err: ShomeiError): { error: string; error_description: string } {
  return { error: catalogue[err.code].error, error_description: err.message };
}

export const fail = (code: ErrorCode, params?: Record<string, string>): never => {
  throw new ShomeiError(code, params);
};

export const isShomeiError = (e: unknown): e is ShomeiError => e instanceof ShomeiError;
