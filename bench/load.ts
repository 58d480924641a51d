/**
 * The load generator, run as its own process (BENCH.md: load comes from a separate process over
 * loopback). Reads a scenario as JSON from argv[2], drives autocannon, prints one JSON result.
 *   ping:     POST {path} with `{}` — the HTTP ceiling of the framework
 *   sign:     per connection, loop [credentials/authorize n hashes → signatures/signHash n hashes]
 *   post:     POST {path} with the fixed JSON {body} (B4: the same CSR to both CAs)
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';

interface Scenario {
  kind: 'ping' | 'sign' | 'post';
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

const s = JSON.parse(process.argv[2] ?? '{}') as Scenario;
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

const requests =
  s.kind === 'ping'
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
