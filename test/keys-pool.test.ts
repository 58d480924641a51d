import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSoftwareKeyStore,
  HASHES,
  type KeyHandle,
  type KeyType,
  kekFromBase64,
  type ResolvedSignature,
} from '../src/keys/index.js';
import { systemRandom } from '../src/platform/index.js';

const ks = createSoftwareKeyStore({
  kek: kekFromBase64(systemRandom.bytes(32).toString('base64')),
  random: systemRandom,
});
afterAll(() => ks.close());

async function throughput(keyType: KeyType, sig: ResolvedSignature): Promise<number> {
  const k = await ks.generate(keyType, `bench-${keyType}`);
  const handle: KeyHandle = { id: `bench-${keyType}`, ref: k.ref, keyType, wrapped: k.wrapped };
  const batch = Array.from({ length: 100 }, (_, i) => createHash('sha256').update(`d${i}`).digest());
  await Promise.all([ks.sign(handle, sig, batch), ks.sign(handle, sig, batch)]); // warm up every worker
  const rounds = 10;
  const t = performance.now();
  for (let i = 0; i < rounds; i++) await ks.sign(handle, sig, batch);
  return Math.round((rounds * batch.length) / ((performance.now() - t) / 1000));
}

describe('keys/software pool — signing off the event loop on every core', () => {
  it('SIGN-1: signs batches of 100 digests through the worker pool (throughput printed)', async () => {
    const rsa = await throughput('RSA-2048', { scheme: 'rsa-pkcs1', hash: HASHES['SHA-256'] });
    const ec = await throughput('EC-P256', { scheme: 'ecdsa', hash: HASHES['SHA-256'] });
    console.log(`pool: RSA-2048 PKCS#1 ${rsa} sig/s, P-256 ECDSA ${ec} sig/s (batches of 100)`);
    expect(rsa).toBeGreaterThan(200);
    expect(ec).toBeGreaterThan(200);
  });
});
