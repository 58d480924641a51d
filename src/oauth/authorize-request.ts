/**
 * `GET oauth2/authorize` request validation (csc-api-v2.md §3.4; RFC 6749 §4.1.1, §4.1.2.1),
 * pure: the caller loads the client named by client_id. While client_id or redirect_uri is in
 * doubt, nothing is sent to the redirect URI (an open redirector otherwise): the result is a 400
 * page. Every later error goes back to the client's redirect URI with the state.
 */
import { catalogue, describe, type ErrorCode } from '../errors.js';
import type { CredentialAuthorization, OAuthClient, OAuthScope } from './model.js';
import { S256_CHALLENGE } from './pkce.js';

export type AuthorizeQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface AuthorizationRequest {
  readonly client: OAuthClient;
  readonly redirectUri: string;
  readonly state?: string;
  readonly scope: OAuthScope;
  readonly codeChallenge: string;
  readonly credential?: CredentialAuthorization;
  readonly description?: string;
  readonly lang?: string;
}

export type AuthorizeValidation =
  | { readonly kind: 'valid'; readonly request: AuthorizationRequest }
  /** RFC 6749 §4.1.2.1: redirect with `error`, `error_description` and `state`. */
  | {
      readonly kind: 'redirect';
      readonly redirectUri: string;
      readonly state?: string;
      readonly code: ErrorCode;
      readonly params: Record<string, string>;
    }
  /** Unknown client or unregistered redirect URI: an error page, no redirect. */
  | { readonly kind: 'page'; readonly code: ErrorCode; readonly params: Record<string, string> };

export interface AuthorizeOptions {
  /** Digest length for a hash algorithm OID; throws for an unsupported one. */
  hashLength(oid: string): number;
  readonly maxHashes?: number;
  /** Offer the CSC 2.2 `credential_management` scope (model.ts). */
  readonly credentialManagement?: boolean;
}

class Invalid extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly params: Record<string, string> = {},
  ) {
    super(code);
  }
}

const bad = (name: string) => new Invalid('oauth_invalid_request', { name });
const MAX_HASHES = 1000;

function single(q: AuthorizeQuery, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  // RFC 6749 §3.1: parameters sent without a value are omitted; none may be repeated.
  if (typeof v !== 'string') throw new Invalid('oauth_duplicate_parameter', { name });
  return v === '' ? undefined : v;
}

/** Standard or URL-safe base64 of a raw digest; compared as bytes (csc-api-v2.md §9). */
function digest(text: string, length: number, name: string): Buffer {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw bad(name);
  const b = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (b.length !== length) throw bad(name);
  return b;
}

function hashLength(opts: AuthorizeOptions, oid: string | undefined): number {
  if (!oid) throw new Invalid('oauth_missing_parameter', { name: 'hashAlgorithmOID' });
  try {
    return opts.hashLength(oid);
  } catch {
    throw bad('hashAlgorithmOID');
  }
}

function positive(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,5}$/.test(text)) throw bad(name);
  return Number(text);
}

/** RFC 9396 `authorization_details` of type "credential" (CSC v2 §8.3.2 / csc-api-v2.md §3.4). */
function fromDetails(text: string, opts: AuthorizeOptions, numSignatures: number | undefined): CredentialAuthorization {
  let details: unknown;
  try {
    details = JSON.parse(text);
  } catch {
    throw bad('authorization_details');
  }
  if (!Array.isArray(details) || details.length !== 1) throw bad('authorization_details');
  const d = details[0] as Record<string, unknown>;
  if (d?.type !== 'credential') throw bad('authorization_details');
  if (d.signatureQualifier !== undefined) throw bad('signatureQualifier');
  if (typeof d.credentialID !== 'string' || d.credentialID === '' || d.credentialID.length > 255)
    throw bad('credentialID');
  const oid = typeof d.hashAlgorithmOID === 'string' ? d.hashAlgorithmOID : undefined;
  const len = hashLength(opts, oid);
  const docs = d.documentDigests;
  if (!Array.isArray(docs) || docs.length === 0 || docs.length > (opts.maxHashes ?? MAX_HASHES))
    throw bad('documentDigests');
  const hashes: Buffer[] = [];
  const labels: string[] = [];
  for (const doc of docs as Record<string, unknown>[]) {
    if (typeof doc?.hash !== 'string' || typeof doc.label !== 'string' || doc.label.length > 500)
      throw bad('documentDigests');
    hashes.push(digest(doc.hash, len, 'documentDigests'));
    labels.push(doc.label);
  }
  if (numSignatures !== undefined && numSignatures !== hashes.length) throw bad('numSignatures');
  return {
    credentialId: d.credentialID,
    numSignatures: hashes.length,
    hashAlgorithmOID: oid as string,
    hashes,
    labels,
  };
}

/** The CSC query parameters: credentialID, numSignatures, hashes (base64url, comma-separated). */
function fromParameters(q: AuthorizeQuery, opts: AuthorizeOptions, numSignatures: number | undefined) {
  const credentialId = single(q, 'credentialID');
  if (single(q, 'signatureQualifier')) throw bad('signatureQualifier');
  if (!credentialId || credentialId.length > 255)
    throw new Invalid('oauth_missing_parameter', { name: 'credentialID' });
  const list = single(q, 'hashes');
  if (list === undefined) {
    if (numSignatures === undefined) throw new Invalid('oauth_missing_parameter', { name: 'numSignatures' });
    return { credentialId, numSignatures };
  }
  const oid = single(q, 'hashAlgorithmOID');
  const len = hashLength(opts, oid);
  const parts = list.split(',');
  if (parts.length > (opts.maxHashes ?? MAX_HASHES)) throw bad('hashes');
  const hashes = parts.map((p) => digest(p, len, 'hashes'));
  if (numSignatures !== undefined && numSignatures !== hashes.length) throw bad('numSignatures');
  return { credentialId, numSignatures: hashes.length, hashAlgorithmOID: oid as string, hashes };
}

function credentialOf(q: AuthorizeQuery, opts: AuthorizeOptions): CredentialAuthorization {
  const numSignatures = positive(single(q, 'numSignatures'), 'numSignatures');
  const details = single(q, 'authorization_details');
  if (details !== undefined) {
    if (single(q, 'credentialID') || single(q, 'hashes')) throw bad('authorization_details');
    return fromDetails(details, opts, numSignatures);
  }
  return fromParameters(q, opts, numSignatures);
}

function validated(q: AuthorizeQuery, client: OAuthClient, opts: AuthorizeOptions) {
  if (single(q, 'request_uri') || single(q, 'request')) throw bad('request_uri');
  if (single(q, 'response_type') !== 'code') throw new Invalid('unsupported_response_type');
  if (!client.grantTypes.includes('authorization_code')) throw new Invalid('unauthorized_client');
  const challenge = single(q, 'code_challenge');
  if (!challenge) throw new Invalid('oauth_missing_parameter', { name: 'code_challenge' });
  // RFC 7636 §4.3: an absent method means plain, which is refused.
  if (single(q, 'code_challenge_method') !== 'S256') throw bad('code_challenge_method');
  if (!S256_CHALLENGE.test(challenge)) throw bad('code_challenge');
  const details = single(q, 'authorization_details') !== undefined;
  const scope = single(q, 'scope') ?? (details ? 'credential' : 'service');
  const management = scope === 'credential_management' && opts.credentialManagement === true;
  if (scope !== 'service' && scope !== 'credential' && !management) throw new Invalid('invalid_scope');
  if (scope !== 'credential' && (details || single(q, 'credentialID'))) throw new Invalid('invalid_scope');
  const description = single(q, 'description');
  if (description !== undefined && description.length > 500) throw bad('description');
  const lang = single(q, 'lang');
  if (lang !== undefined && !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(lang)) throw bad('lang');
  return {
    scope: scope as OAuthScope,
    codeChallenge: challenge,
    ...(scope === 'credential' ? { credential: credentialOf(q, opts) } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(lang !== undefined ? { lang } : {}),
  };
}

export function validateAuthorizeRequest(
  q: AuthorizeQuery,
  client: OAuthClient | undefined,
  opts: AuthorizeOptions,
): AuthorizeValidation {
  let redirectUri: string;
  try {
    const clientId = single(q, 'client_id');
    if (!clientId || client?.id !== clientId || client.status !== 'enabled') return page('unknown_client');
    const asked = single(q, 'redirect_uri');
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one is registered; else exact match.
    if (asked === undefined && client.redirectUris.length !== 1) return page('invalid_redirect_uri');
    redirectUri = asked ?? (client.redirectUris[0] as string);
    if (!client.redirectUris.includes(redirectUri)) return page('invalid_redirect_uri');
  } catch (e) {
    if (e instanceof Invalid) return { kind: 'page', code: e.code, params: e.params };
    throw e;
  }
  let state: string | undefined;
  try {
    state = single(q, 'state');
    if (state !== undefined && state.length > 1024) {
      state = undefined;
      throw bad('state');
    }
    const v = validated(q, client, opts);
    return {
      kind: 'valid',
      request: { client, redirectUri, ...(state !== undefined ? { state } : {}), ...v },
    };
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
    return { kind: 'redirect', redirectUri, ...(state !== undefined ? { state } : {}), code: e.code, params: e.params };
  }
}

const page = (code: ErrorCode): AuthorizeValidation => ({ kind: 'page', code, params: {} });

/** The 302 target of a refused request (RFC 6749 §4.1.2.1). */
export function errorRedirect(v: Extract<AuthorizeValidation, { kind: 'redirect' }>): string {
  const u = new URL(v.redirectUri);
  u.searchParams.set('error', catalogue[v.code].error);
  u.searchParams.set('error_description', describe(v.code, v.params));
  if (v.state !== undefined) u.searchParams.set('state', v.state);
  return u.toString();
}

/** The 302 target once the signer approved (RFC 6749 §4.1.2). */
export function codeRedirect(redirectUri: string, code: string, state?: string): string {
  const u = new URL(redirectUri);
  u.searchParams.set('code', code);
  if (state !== undefined) u.searchParams.set('state', state);
  return u.toString();
}
