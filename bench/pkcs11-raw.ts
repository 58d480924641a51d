/**
 * The token's own ceiling for B1 with PKCS#11: one process signing RSA-2048 digests flat out on
 * one session, no service around it. `bench/cases-pkcs11.ts` runs one per core at once and adds
 * them up. argv: module, token label, seconds; the PIN comes on stdin (never in argv).
 * Prints `{ "rate": sig/s }`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HASHES, type KeyHandle } from '../src/keys/index.js';
import { createPkcs11KeyStore } from '../src/keys/pkcs11/index.js';
import { systemRandom } from '../src/platform/index.js';

const [modulePath = '', tokenLabel = '', seconds = '5'] = process.argv.slice(2);
const pin = readFileSync(0, 'utf8').trim();
const ks = await createPkcs11KeyStore({ modulePath, tokenLabel, pin, random: systemRandom, sessions: 1 });
const id = `raw-${process.pid}`;
const stored = await ks.generate('RSA-2048', id);
const handle: KeyHandle = { id, ref: stored.ref, keyType: 'RSA-2048', wrapped: null };
const sig = { scheme: 'rsa-pkcs1', hash: HASHES['SHA-256'] } as const;
const digests = Array.from({ length: 100 }, () => randomBytes(32));
await ks.sign(handle, sig, digests); // warm-up
let n = 0;
const start = performance.now();
while (performance.now() - start < Number(seconds) * 1000) {
  await ks.sign(handle, sig, digests);
  n += digests.length;
}
const rate = n / ((performance.now() - start) / 1000);
await ks.destroy(handle);
await ks.close();
process.stdout.write(`${JSON.stringify({ rate })}\n`);
