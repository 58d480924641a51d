/**
 * Hostile input, generated (DEVELOPERS.md 4): seeded random mutations of valid CSC bodies — fields
 * dropped, retyped, oversized, nested, duplicated — must each get a 2xx or a 4xx with a CSC error
 * body. Never a 500, never a hang. The seed is printed so a failure can be replayed.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, startApp, type TestApp } from './support/app.js';

const SEED = Number(process.env.SHOMEI_FUZZ_SEED ?? 20261123);

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

const weird: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  2 ** 53,
  1.5,
  '',
  ' ',
  'A'.repeat(5000),
  '%00',
  '\u0000',
  '😀',
  '../../etc/passwd',
  'AAAA====',
  '@@@',
  [],
  [null],
  [''],
  ['A'.repeat(100)],
  {},
  { nested: { deeper: [1, 2, 3] } },
  Array.from({ length: 50 }, () => 'AAAA'),
];

function mutate(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(body);
  const keys = Object.keys(out);
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) {
    const op = rnd();
    const k = pick(keys);
    if (op < 0.3) delete out[k];
    else if (op < 0.8) out[k] = pick(weird);
    else out[`x${Math.floor(rnd() * 1000)}`] = pick(weird);
  }
  return out;
}

describe(`generated hostile bodies (seed ${SEED})`, () => {
  let t: TestApp;
  let bodies: Record<string, Record<string, unknown>>;
  beforeAll(async () => {
    t = await startApp();
    const h = b64(randomBytes(32));
    const cred = t.demo.credentials.p256;
    const auth = {
      credentialID: cred,
      numSignatures: 1,
      hashes: [h],
      hashAlgorithmOID: '2.16.840.1.101.3.4.2.1',
      authData: [{ id: 'PIN', value: t.demo.pin }],
    };
    bodies = {
      'credentials/list': {
        credentialInfo: true,
        certificates: 'chain',
        certInfo: true,
        authInfo: true,
        onlyValid: false,
      },
      'credentials/info': { credentialID: cred, certificates: 'single', certInfo: true, authInfo: true },
      'credentials/authorize': auth,
      'credentials/authorizeCheck': { handle: 'abc' },
      'signatures/signHash': { credentialID: cred, SAD: 'x'.repeat(43), hashes: [h], signAlgo: '1.2.840.10045.4.3.2' },
      'auth/revoke': { token: 'y'.repeat(43), token_type_hint: 'access_token' },
      info: { lang: 'en' },
    };
  });
  afterAll(async () => t.close());

  it('API-1: 600 mutated requests across the CSC methods: never a 5xx, always a CSC error body on 4xx', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 600; i++) {
      const method = pick(Object.keys(bodies));
      const body = mutate(bodies[method] as Record<string, unknown>);
      const r = await t.post(method, body, t.token);
      const ok = r.status < 300 || (r.status < 500 && typeof r.json?.error === 'string');
      if (!ok) failures.push(`${method} ${JSON.stringify(body).slice(0, 200)} → ${r.status} ${r.text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    // The demo signer's PIN may have been locked by mutated PINs; the service itself stays healthy.
    expect((await t.get('/healthz')).status).toBe(200);
  });
});
