/**
 * AUTH-2, AUTH-3: `validateAuthorizeRequest`, the pure check of `GET oauth2/authorize`
 * (csc-api-v2.md §3.4; RFC 6749 §4.1.2.1; RFC 7636; RFC 9396). While client_id or redirect_uri is in
 * doubt nothing is redirected; every later refusal goes back to the registered URI with the state.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AuthorizeQuery,
  type AuthorizeValidation,
  codeRedirect,
  errorRedirect,
  type OAuthClient,
  s256,
  validateAuthorizeRequest,
} from '../src/oauth/index.js';

const REDIRECT = 'https://app.example/callback';
const SHA256 = '2.16.840.1.101.3.4.2.1';
const client: OAuthClient = {
  id: 'c1',
  name: 'App',
  authMethod: 'client_secret_basic',
  redirectUris: [REDIRECT],
  grantTypes: ['authorization_code', 'refresh_token'],
  serviceUserId: null,
  status: 'enabled',
  createdAt: 0,
};
const opts = {
  hashLength: (oid: string) => {
    if (oid !== SHA256) throw new Error('unsupported');
    return 32;
  },
};
const challenge = s256(randomBytes(32).toString('base64url'));
const base = {
  response_type: 'code',
  client_id: 'c1',
  redirect_uri: REDIRECT,
  code_challenge: challenge,
  code_challenge_method: 'S256',
  state: 'xyz',
};
const check = (q: AuthorizeQuery, c: OAuthClient | undefined = client) => validateAuthorizeRequest(q, c, opts);

function redirected(v: AuthorizeValidation, error: string, state: string | null = 'xyz') {
  expect(v.kind, JSON.stringify(v)).toBe('redirect');
  const url = new URL(errorRedirect(v as Extract<AuthorizeValidation, { kind: 'redirect' }>));
  expect(`${url.origin}${url.pathname}`).toBe(REDIRECT);
  expect(url.searchParams.get('error')).toBe(error);
  expect(url.searchParams.get('state')).toBe(state);
  return url;
}

describe('AUTH-2: validateAuthorizeRequest', () => {
  it('AUTH-2: a valid service request passes with its state and S256 challenge', () => {
    const v = check(base);
    expect(v).toMatchObject({ kind: 'valid', request: { scope: 'service', state: 'xyz', codeChallenge: challenge } });
    const url = new URL(codeRedirect(REDIRECT, 'the-code', 'xyz'));
    expect(url.searchParams.get('code')).toBe('the-code');
    expect(url.searchParams.get('state')).toBe('xyz');
  });

  it('AUTH-2: redirect_uri may be omitted only when exactly one is registered', () => {
    const { redirect_uri: _, ...rest } = base;
    expect(check(rest).kind).toBe('valid');
    const two = { ...client, redirectUris: [REDIRECT, 'https://app.example/other'] };
    expect(check(rest, two)).toMatchObject({ kind: 'page', code: 'invalid_redirect_uri' });
  });

  it('AUTH-2: an unknown, disabled or mismatched client and an unregistered redirect_uri get a page, never a redirect', () => {
    expect(check({ ...base, client_id: 'nobody' }, undefined)).toMatchObject({ kind: 'page', code: 'unknown_client' });
    expect(check(base, { ...client, status: 'disabled' })).toMatchObject({ kind: 'page', code: 'unknown_client' });
    expect(check({ ...base, client_id: 'c2' })).toMatchObject({ kind: 'page', code: 'unknown_client' });
    for (const uri of [
      `${REDIRECT}/`,
      `${REDIRECT}?x=1`,
      'https://APP.example/callback',
      'https://evil.example/callback',
    ])
      expect(check({ ...base, redirect_uri: uri })).toMatchObject({ kind: 'page', code: 'invalid_redirect_uri' });
    expect(check({ ...base, redirect_uri: [REDIRECT, REDIRECT] })).toMatchObject({
      kind: 'page',
      code: 'oauth_duplicate_parameter',
    });
  });

  it('AUTH-2: response_type other than code is unsupported_response_type, with the state', () => {
    redirected(check({ ...base, response_type: 'token' }), 'unsupported_response_type');
    redirected(check({ ...base, response_type: undefined }), 'unsupported_response_type');
  });

  it('AUTH-2: PKCE is required and only S256 is accepted (plain and a missing method are refused)', () => {
    const url = redirected(check({ ...base, code_challenge: undefined }), 'invalid_request');
    expect(url.searchParams.get('error_description')).toBe('Missing parameter code_challenge');
    redirected(check({ ...base, code_challenge_method: 'plain' }), 'invalid_request');
    redirected(check({ ...base, code_challenge_method: undefined }), 'invalid_request');
    redirected(check({ ...base, code_challenge: 'short' }), 'invalid_request');
  });

  it('AUTH-2: a repeated parameter, a pushed request and an unknown scope are refused', () => {
    redirected(check({ ...base, scope: ['service', 'credential'] }), 'invalid_request');
    redirected(check({ ...base, request_uri: 'urn:x' }), 'invalid_request');
    redirected(check({ ...base, scope: 'openid' }), 'invalid_scope');
    redirected(check({ ...base, scope: 'service', credentialID: 'cred' }), 'invalid_scope');
    const noState = check({ ...base, state: undefined, scope: 'nope' });
    redirected(noState, 'invalid_scope', null);
  });

  it('AUTH-2: a client without the authorization_code grant is unauthorized_client', () => {
    redirected(check(base, { ...client, grantTypes: ['client_credentials'] }), 'unauthorized_client');
  });

  it('AUTH-3: scope=credential with credentialID, numSignatures and base64url hashes binds those digests', () => {
    const h1 = createHash('sha256').update('one').digest();
    const h2 = createHash('sha256').update('two').digest();
    const v = check({
      ...base,
      scope: 'credential',
      credentialID: 'cred-1',
      numSignatures: '2',
      hashes: `${h1.toString('base64url')},${h2.toString('base64url')}`,
      hashAlgorithmOID: SHA256,
    });
    expect(v.kind).toBe('valid');
    const c = (v as Extract<AuthorizeValidation, { kind: 'valid' }>).request.credential;
    expect(c).toMatchObject({ credentialId: 'cred-1', numSignatures: 2, hashAlgorithmOID: SHA256 });
    expect(c?.hashes).toEqual([h1, h2]);
    // Count only (SCAL1): no hashes.
    expect(check({ ...base, scope: 'credential', credentialID: 'cred-1', numSignatures: '3' })).toMatchObject({
      kind: 'valid',
      request: { credential: { credentialId: 'cred-1', numSignatures: 3 } },
    });
  });

  it('AUTH-3: wrong digest lengths, counts, algorithms and missing credentials are refused', () => {
    const h = createHash('sha256').update('x').digest();
    const cred = { ...base, scope: 'credential', credentialID: 'cred-1', hashAlgorithmOID: SHA256 };
    redirected(check({ ...cred, hashes: h.subarray(0, 20).toString('base64url') }), 'invalid_request');
    redirected(check({ ...cred, hashes: h.toString('base64url'), numSignatures: '2' }), 'invalid_request');
    redirected(check({ ...cred, hashes: h.toString('base64url'), hashAlgorithmOID: '1.2.3' }), 'invalid_request');
    redirected(check({ ...cred, hashes: 'not base64!' }), 'invalid_request');
    redirected(check({ ...cred, numSignatures: '0' }), 'invalid_request');
    redirected(check({ ...cred, numSignatures: '1.5' }), 'invalid_request');
    redirected(check({ ...base, scope: 'credential', numSignatures: '1' }), 'invalid_request');
    redirected(check({ ...cred, numSignatures: '1', signatureQualifier: 'eu_eidas_qes' }), 'invalid_request');
  });

  it('AUTH-3: authorization_details of type credential (RFC 9396) carries the digests and their labels', () => {
    const h = createHash('sha256').update('contract').digest();
    const details = [
      {
        type: 'credential',
        credentialID: 'cred-1',
        documentDigests: [{ hash: h.toString('base64'), label: 'Contract no. 42' }],
        hashAlgorithmOID: SHA256,
      },
    ];
    const v = check({ ...base, authorization_details: JSON.stringify(details) });
    expect(v).toMatchObject({
      kind: 'valid',
      request: {
        scope: 'credential',
        credential: { credentialId: 'cred-1', numSignatures: 1, labels: ['Contract no. 42'] },
      },
    });
    const bad = (d: unknown) =>
      redirected(check({ ...base, authorization_details: JSON.stringify(d) }), 'invalid_request');
    bad([{ ...details[0], type: 'payment' }]);
    bad([details[0], details[0]]);
    bad([{ ...details[0], documentDigests: [] }]);
    bad([{ ...details[0], documentDigests: [{ hash: h.toString('base64') }] }]);
    bad([{ ...details[0], documentDigests: [{ hash: 'AAAA', label: 'short' }] }]);
    bad({ type: 'credential' });
    redirected(check({ ...base, authorization_details: '{not json' }), 'invalid_request');
    redirected(
      check({ ...base, authorization_details: JSON.stringify(details), credentialID: 'cred-1' }),
      'invalid_request',
    );
    redirected(check({ ...base, authorization_details: JSON.stringify(details), scope: 'service' }), 'invalid_scope');
  });
});
