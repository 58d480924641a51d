/**
 * The network edge of revocation collection: one small fetch contract, a real implementation with
 * the limits an RSSP needs when it follows URLs found in certificates (http(s) only, a timeout, a
 * size cap), and one over fastify's `inject` for tests and the in-process CA.
 */
import { ShomeiError } from '../../errors.js';

export interface FetchRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
}

export interface FetchResponse {
  readonly status: number;
  readonly body: Uint8Array;
}

export type HttpFetch = (req: FetchRequest) => Promise<FetchResponse>;

export interface HttpFetchOptions {
  /** Per request (default 5 s). */
  readonly timeoutMs?: number;
  /** Largest response body accepted (default 10 MiB: CRLs of large CAs). */
  readonly maxBytes?: number;
}

const failed = (url: string, detail: string): ShomeiError =>
  new ShomeiError('revocation_unavailable', { subject: url, detail });

/** Only http(s): a certificate's URL must not make the service read files or other schemes. */
export function checkUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw failed(url, 'not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw failed(url, 'only http and https are followed');
  return u;
}

/** fetch() with a timeout, no redirects to other schemes, and a size cap enforced while reading. */
export function createHttpFetch(opts: HttpFetchOptions = {}): HttpFetch {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  return async (req) => {
    checkUrl(req.url);
    let res: Response;
    try {
      res = await fetch(req.url, {
        method: req.method,
        headers: { ...req.headers },
        ...(req.body ? { body: req.body } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new ShomeiError('revocation_unavailable', { subject: req.url, detail: 'no answer' }, { cause: e });
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) throw failed(req.url, 'response too large');
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      if (size > maxBytes) throw failed(req.url, 'response too large');
      chunks.push(chunk);
    }
    return { status: res.status, body: Buffer.concat(chunks) };
  };
}

/** What `fastify.inject` needs and returns (kept structural so this module does not import fastify). */
export type InjectFn = (opts: {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  payload?: Buffer;
}) => Promise<{ statusCode: number; rawPayload: Buffer }>;

/** Requests to the service's own URLs answered in-process (path and query kept, host ignored). */
export function injectFetch(inject: InjectFn): HttpFetch {
  return async (req) => {
    const u = checkUrl(req.url);
    const res = await inject({
      method: req.method,
      url: `${u.pathname}${u.search}`,
      headers: { ...req.headers },
      ...(req.body ? { payload: Buffer.from(req.body) } : {}),
    });
    return { status: res.statusCode, body: res.rawPayload };
  };
}

/**
 * URLs under `baseUrl` (the service's public URL: its own CA's OCSP, CRLs and certificates) are
 * answered by `local` in-process — no network round trip to itself, and it works behind NAT —
 * and every other URL by `remote`.
 */
export function routeFetch(baseUrl: string, local: HttpFetch, remote: HttpFetch): HttpFetch {
  const base = new URL(baseUrl);
  const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return (req) => {
    const u = checkUrl(req.url);
    return u.origin === base.origin && u.pathname.startsWith(prefix) ? local(req) : remote(req);
  };
}
