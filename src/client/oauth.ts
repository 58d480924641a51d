/**
 * The authorization-code grant with PKCE (RFC 6749 §4.1, RFC 7636 S256; csc-api-v2.md §3.4, §3.6)
 * for signature applications that send the user to the service's own pages instead of handling a
 * password: a verifier kept by the client, the authorize URL with its S256 challenge, and the code
 * exchanged for a token. `oauth2` is the base URI `info()` reports.
 */
// pkce.ts, not the oauth/ surface: a client must not load the authorization server (fastify routes, stores).
import { s256 } from '../oauth/pkce.js';
import { type Random, systemRandom } from '../platform/index.js';
import { Reader } from './read.js';
import { createTransport, type TransportOptions } from './transport.js';

export interface Pkce {
  /** Kept by the client; sent only to oauth2/token. */
  readonly verifier: string;
  readonly challenge: string;
}

/** 32 random bytes → a 43-character verifier (RFC 7636 §4.1). */
export function createPkce(random: Random = systemRandom): Pkce {
  const verifier = random.bytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

export interface AuthorizationUrlRequest {
  /** info().oauth2: the authorization server's base URI. */
  readonly oauth2: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly state: string;
  readonly scope?: 'service' | 'credential';
  /** scope credential (§3.4). */
  readonly credentialID?: string;
  readonly numSignatures?: number;
  readonly hashes?: readonly Uint8Array[];
  readonly hashAlgorithmOID?: string;
  readonly description?: string;
}

export function authorizationUrl(r: AuthorizationUrlRequest): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: r.clientId,
    redirect_uri: r.redirectUri,
    code_challenge: r.codeChallenge,
    code_challenge_method: 'S256',
    state: r.state,
    scope: r.scope ?? 'service',
  });
  if (r.credentialID) q.set('credentialID', r.credentialID);
  if (r.numSignatures !== undefined) q.set('numSignatures', String(r.numSignatures));
  // §1: in this query, hashes are base64url and comma-separated.
  if (r.hashes) q.set('hashes', r.hashes.map((h) => Buffer.from(h).toString('base64url')).join(','));
  if (r.hashAlgorithmOID) q.set('hashAlgorithmOID', r.hashAlgorithmOID);
  if (r.description) q.set('description', r.description);
  return `${r.oauth2.replace(/\/+$/, '')}/oauth2/authorize?${q}`;
}

export interface CodeExchange extends Omit<TransportOptions, 'baseUrl'> {
  readonly oauth2: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly code: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

export interface TokenResult {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken?: string;
  /** When the AS chose the credential (signatureQualifier). */
  readonly credentialID?: string;
}

/** oauth2/token with grant_type authorization_code (§3.6), form-encoded. */
export async function exchangeCode(o: CodeExchange): Promise<TokenResult> {
  const t = createTransport({ ...o, baseUrl: o.oauth2 });
  const json = await t.post(
    `${t.baseUrl}/oauth2/token`,
    'oauth2/token',
    {
      grant_type: 'authorization_code',
      code: o.code,
      code_verifier: o.codeVerifier,
      redirect_uri: o.redirectUri,
      client_id: o.clientId,
      ...(o.clientSecret ? { client_secret: o.clientSecret } : {}),
    },
    { form: true },
  );
  const r = new Reader('oauth2/token', json);
  const refreshToken = r.optStr('refresh_token');
  const credentialID = r.optStr('credentialID');
  return {
    accessToken: r.str('access_token'),
    expiresIn: r.optNum('expires_in') ?? 3600,
    ...(refreshToken ? { refreshToken } : {}),
    ...(credentialID ? { credentialID } : {}),
  };
}
