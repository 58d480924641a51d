/**
 * The load generator, run as its own process (BENCH.md: load comes from a separate process over
 * loopback). Reads a scenario as JSON from argv[2], drives autocannon, prints one JSON result.
 *   ping:     POST {path} with `{}` — the HTTP ceiling of the framework
 *   sign:     per connection, loop [credentials/authorize n hashes → signatures/signHash n hashes]
 *   post:     POST {path} with the fixed JSON {body} (B4: the same CSR to both CAs)
 *   get:      GET each of {items} in turn, keep-alive (B5: pre-generated OCSP answers)
 *   postbin:  POST each base64-decoded body of {items} to {path} with {contentType}, keep-alive
 *   close:    a new connection per request (load-close.ts; B5 against `openssl ocsp -port`)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { type CloseScenario, runClose } from './load-close.js';

interface Scenario {
  kind: 'ping' | 'sign' | 'post' | 'get' | 'postbin' | 'close';
  /** get: the paths to cycle through; postbin: base64 bodies posted to {path}; close: see load-close.ts. */
  items?: string[];
  contentType?: string;
  body?: unknown;
  url: string;
  connections: number;
  seconds: number;
  overallRate?: number;
  path?: string;
  token?: string;
  credentialID?: string;
  pin?: string;
  hashesPerCall?: number;
  signAlgo?: string;
  hashAlgorithmOID?: string;
}

// A large scenario (B5's request lists) comes as @file: one argument may not exceed 128 KiB.
const arg = process.argv[2] ?? '{}';
const s = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg) as Scenario;
const headers = { 'content-type': 'application/json', ...(s.token ? { authorization: `Bearer ${s.token}` } : {}) };

function signRequests(): autocannon.Request[] {
  const n = s.hashesPerCall ?? 1;
  type Ctx = { hashes?: string[]; sad?: string };
  return [
    {
      method: 'POST',
      path: '/csc/v2/credentials/authorize',
      headers,
      setupRequest: (req, context) => {
        const ctx = context as Ctx;
        ctx.hashes = Array.from({ length: n }, () => randomBytes(32).toString('base64'));
        return {
          ...req,
          body: JSON.stringify({
            credentialID: s.credentialID,
            numSignatures: n,
            hashes: ctx.hashes,
            hashAlgorithmOID: s.hashAlgorithmOID,
            authData: [{ id: 'PIN', value: s.pin }],
          }),
        };
      },
      onResponse: (status, body, context) => {
        if (status === 200) (context as Ctx).sad = (JSON.parse(body) as { SAD: string }).SAD;
      },
    },
    {
      method: 'POST',
      path: '/csc/v2/signatures/signHash',
      headers,
      setupRequest: (req, context) => {
        const ctx = context as Ctx;
        return {
          ...req,
          body: JSON.stringify({
            credentialID: s.credentialID,
            SAD: ctx.sad,
            hashes: ctx.hashes,
            hashAlgorithmOID: s.hashAlgorithmOID,
            signAlgo: s.signAlgo,
          }),
        };
      },
    },
  ];
}

if (s.kind === 'close') {
  process.stdout.write(`${JSON.stringify(await runClose(s as unknown as CloseScenario))}\n`);
  process.exit(0);
}

const requests =
  s.kind === 'get'
    ? (s.items ?? []).map((path) => ({ method: 'GET' as const, path }))
    : s.kind === 'postbin'
      ? (s.items ?? []).map((b) => ({
          method: 'POST' as const,
          path: s.path ?? '/',
          headers: { 'content-type': s.contentType ?? 'application/octet-stream' },
          body: Buffer.from(b, 'base64'),
        }))
      : s.kind === 'ping'
        ? [{ method: 'POST' as const, path: s.path ?? '/ping', headers, body: '{}' }]
        : s.kind === 'post'
          ? [{ method: 'POST' as const, path: s.path ?? '/', headers, body: JSON.stringify(s.body ?? {}) }]
          : signRequests();

const result = await autocannon({
  url: s.url,
  connections: s.connections,
  duration: s.seconds,
  requests,
  ...(s.overallRate ? { overallRate: s.overallRate } : {}),
});

process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    rps: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    duration: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  })}\n`,
);
