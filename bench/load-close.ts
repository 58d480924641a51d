/**
 * A loader that opens a new TCP connection for every request (`Connection: close`), for servers
 * that do not keep connections alive — `openssl ocsp -port` answers one request per connection and
 * stops accepting under autocannon's keep-alive pipelining. B5 drives both responders with it, so
 * the comparison with openssl uses the same loader; the keep-alive figures use autocannon.
 */
import { request } from 'node:http';
import type { LoadResult } from './lib.js';

export interface CloseScenario {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly method: 'GET' | 'POST';
  /** GET: paths; POST: base64 bodies (posted to `path`). Cycled through in order. */
  readonly items: readonly string[];
  readonly path?: string;
  readonly contentType?: string;
}

/** The same figures as autocannon's runs (lib.ts). */
export type CloseResult = LoadResult;

export async function runClose(s: CloseScenario): Promise<CloseResult> {
  const target = new URL(s.url);
  const bodies = s.method === 'POST' ? s.items.map((b) => Buffer.from(b, 'base64')) : [];
  const latencies: number[] = [];
  let next = 0;
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const until = started + s.seconds * 1000;

  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const i = next++ % s.items.length;
      const t0 = performance.now();
      const body = bodies[i];
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          method: s.method,
          path: s.method === 'GET' ? s.items[i] : (s.path ?? '/'),
          agent: false,
          timeout: 10_000,
          headers: {
            connection: 'close',
            ...(body
              ? { 'content-type': s.contentType ?? 'application/octet-stream', 'content-length': body.length }
              : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if ((res.statusCode ?? 0) >= 300) non2xx++;
            latencies.push(performance.now() - t0);
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });

  const worker = async () => {
    while (performance.now() < until) await one();
  };
  await Promise.all(Array.from({ length: s.connections }, worker));
  const duration = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
  const ok = latencies.length - non2xx;
  return {
    requests: latencies.length,
    rps: ok / duration,
    non2xx,
    errors,
    timeouts: 0,
    duration,
    p50: pct(0.5),
    p99: pct(0.99),
  };
}
