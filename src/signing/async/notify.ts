/**
 * `response_uri` (csc-api-v2.md §5.1): when an asynchronous request completes, its result is
 * POSTed there. Only https is allowed (the body holds signatures or signed documents), except a
 * loopback http URI when the service allows it (tests, a client on the same host); redirects are
 * refused so the target cannot be moved elsewhere, and the call has a deadline.
 */
import { ShomeiError } from '../../errors.js';

/** POSTs JSON; resolves with the HTTP status. */
export type PostJson = (url: string, body: unknown, timeoutMs: number) => Promise<number>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Parses and checks a response_uri at request time, so a bad one is refused at once. */
export function checkResponseUri(value: string, allowLoopbackHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'response_uri' });
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK.has(url.hostname) && allowLoopbackHttp;
  if ((url.protocol !== 'https:' && !loopbackHttp) || url.username !== '' || url.password !== '') {
    throw new ShomeiError('invalid_parameter', { name: 'response_uri' });
  }
  return url;
}

export const fetchPostJson: PostJson = async (url, body, timeoutMs) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.body?.cancel();
  return res.status;
};
