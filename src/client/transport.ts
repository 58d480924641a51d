/**
 * The HTTP edge of the client: POST with a timeout, the answer parsed once into a JSON object, any
 * non-2xx turned into a CscError. Binary values are base64 only here and in the readers below; the
 * rest of the client sees Buffers.
 */
import { CscError, CscTransportError } from './errors.js';

export interface TransportOptions {
  /** The service root, e.g. `https://sign.example.com` (the API lives under `/csc/v2`). */
  readonly baseUrl: string;
  /** Injected for tests or proxies; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
  /** Per request (default 30 s: PAdES B-LTA signing on a slow HSM can take a while). */
  readonly timeoutMs?: number;
}

export type Json = Record<string, unknown>;

export interface CallOptions {
  readonly token?: string | undefined;
  /** A whole Authorization header (auth/login sends Basic). */
  readonly authorization?: string;
  /** Send `application/x-www-form-urlencoded` (oauth2/token, RFC 6749 §4.1.3). */
  readonly form?: boolean;
}

export interface Transport {
  readonly baseUrl: string;
  post(url: string, method: string, body: Json, opts?: CallOptions): Promise<Json>;
  /** Any verb, for the admin API's GETs as well as CSC's POSTs; `body` undefined sends none. */
  request(verb: 'GET' | 'POST', url: string, method: string, body?: Json, opts?: CallOptions): Promise<Json>;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1)$/i;

/** HTTPS, or plain HTTP to a loopback address only: bearer tokens and PINs must not cross a network in clear. */
export function checkBaseUrl(baseUrl: string): string {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new CscTransportError('insecure_url', `not a URL: ${baseUrl}`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.test(host)))
    throw new CscTransportError('insecure_url', `${u.origin}: use https:// (plain http only for a loopback address)`);
  return u.href.replace(/\/+$/, '');
}

export function createTransport(o: TransportOptions): Transport {
  const baseUrl = checkBaseUrl(o.baseUrl);
  const doFetch = o.fetch ?? fetch;
  const timeoutMs = o.timeoutMs ?? 30_000;
  async function request(
    verb: 'GET' | 'POST',
    url: string,
    method: string,
    body: Json | undefined,
    opts: CallOptions = {},
  ): Promise<Json> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined)
      headers['content-type'] = opts.form ? 'application/x-www-form-urlencoded' : 'application/json';
    const authorization = opts.authorization ?? (opts.token ? `Bearer ${opts.token}` : undefined);
    if (authorization) headers.authorization = authorization;
    const payload =
      body === undefined
        ? undefined
        : opts.form
          ? new URLSearchParams(body as Record<string, string>).toString()
          : JSON.stringify(body);
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, {
        method: verb,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      const timedOut = (e as Error).name === 'TimeoutError';
      const why = timedOut
        ? `no answer within ${timeoutMs} ms`
        : ((e as Error).cause as Error | undefined)?.message || (e as Error).message;
      throw new CscTransportError(timedOut ? 'timeout' : 'network', `${method}: cannot reach ${baseUrl}: ${why}`, {
        cause: e,
      });
    }
    const json = parseJson(text);
    if (res.status < 200 || res.status > 299) {
      const error = typeof json?.error === 'string' ? json.error : 'http_error';
      const description = typeof json?.error_description === 'string' ? json.error_description : '';
      throw new CscError(res.status, error, description, method);
    }
    if (res.status === 204 || text === '') return {};
    if (!json) throw new CscTransportError('bad_response', `${method}: the answer is not a JSON object`);
    return json;
  }
  return {
    baseUrl,
    post: (url, method, body, opts) => request('POST', url, method, body, opts),
    request: (verb, url, method, body, opts) => request(verb, url, method, body, opts),
  };
}

function parseJson(text: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}
