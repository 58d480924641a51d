/**
 * KEY-2 import into a PKCS#11 token (SoftHSM2): the private key arrives through C_UnwrapKey with
 * CKM_AES_KEY_WRAP_PAD under a one-use session AES key (keys/pkcs11/import.ts), not as attributes.
 * Checked: the object is sensitive and non-extractable, honestly not "always sensitive", the
 * session key is gone afterwards, and the key signs what OpenSSL verifies under its public key.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTransportKey, type LifecycleDeps } from '../src/admin/index.js';
import { createKeyService, defaultSignature, type KeyHandle, type KeyStore, type KeyType } from '../src/keys/index.js';
import { createPkcs11KeyStore, parseKeyRef } from '../src/keys/pkcs11/index.js';
import { acquireModule, type Pkcs11Module, releaseModule } from '../src/keys/pkcs11/module.js';
import { findKey } from '../src/keys/pkcs11/objects.js';
import { systemClock, systemRandom } from '../src/platform/index.js';
import { openStore } from '../src/store/index.js';
import { pkeyutlVerify } from './keys-openssl.js';
import { createSoftHsm, inspectToken, type SoftHsm, softHsmUnavailable } from './support/softhsm.js';

const TOKEN = 'shomei-lifecycle';
const skip = softHsmUnavailable();
const TRUE = Buffer.of(1);
const FALSE = Buffer.of(0);

describe.skipIf(skip)('KEY-2 import into PKCS#11 with C_UnwrapKey (SoftHSM2)', () => {
  let hsm: SoftHsm;
  let ks: KeyStore;
  let module: Pkcs11Module;
  let token: ReturnType<typeof inspectToken>;

  beforeAll(async () => {
    hsm = createSoftHsm([TOKEN]);
    ks = await createPkcs11KeyStore({
      modulePath: hsm.modulePath,
      tokenLabel: TOKEN,
      pin: hsm.pin,
      random: systemRandom,
    });
    module = acquireModule(hsm.modulePath);
    token = inspectToken(module, TOKEN);
  });
  afterAll(async () => {
    releaseModule(module);
    await ks?.close();
    hsm?.cleanup();
  });

  const pairs: [KeyType, () => ReturnType<typeof generateKeyPairSync>][] = [
    ['RSA-2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['EC-P256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })],
    ['EC-P384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' })],
  ];

  it.each(pairs)(
    'KEY-2: an imported %s key is unwrapped into a sensitive, non-extractable object and signs (openssl verifies)',
    async (keyType, make) => {
      const pair = make();
      const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
      const stored = await ks.import(pkcs8, `imported-${keyType}`);
      expect(stored.keyType).toBe(keyType);
      expect(stored.publicKey).toEqual(pair.publicKey.export({ type: 'spki', format: 'der' }));
      const ckaId = parseKeyRef(stored.ref).id;
      token.withSession((s) => {
        const key = findKey(module.p11, s, pkcs11js.CKO_PRIVATE_KEY, ckaId);
        expect(token.attribute(s, key, pkcs11js.CKA_SENSITIVE)).toEqual(TRUE);
        expect(token.attribute(s, key, pkcs11js.CKA_EXTRACTABLE)).toEqual(FALSE);
        expect(token.attribute(s, key, pkcs11js.CKA_SIGN)).toEqual(TRUE);
        expect(token.attribute(s, key, pkcs11js.CKA_UNWRAP)).toEqual(FALSE);
        // v2.40 §4.9: a key that was once outside the token is not "always sensitive".
        expect(token.attribute(s, key, pkcs11js.CKA_ALWAYS_SENSITIVE)).toEqual(FALSE);
        const secret = keyType.startsWith('RSA') ? pkcs11js.CKA_PRIVATE_EXPONENT : pkcs11js.CKA_VALUE;
        expect(token.attribute(s, key, secret)).toBe(pkcs11js.CKR_ATTRIBUTE_SENSITIVE);
      });
      const handle: KeyHandle = { id: `imported-${keyType}`, ref: stored.ref, keyType, wrapped: null };
      const sig = defaultSignature(keyType);
      const digest = createHash(sig.hash.node).update('KEY-2 import').digest();
      const [signature] = await ks.sign(handle, sig, [digest]);
      const opts = keyType.startsWith('RSA') ? ['rsa_padding_mode:pkcs1', `digest:${sig.hash.node}`] : [];
      expect(pkeyutlVerify(stored.publicKey, digest, signature as Buffer, opts).ok).toBe(true);
    },
  );

  it('KEY-2: the one-use AES unwrapping key does not outlive the import', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await ks.import(pair.privateKey.export({ type: 'pkcs8', format: 'der' }), 'imported-again');
    token.withSession((s) => {
      module.p11.C_FindObjectsInit(s, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }]);
      try {
        expect(module.p11.C_FindObjects(s, 10)).toEqual([]);
      } finally {
        module.p11.C_FindObjectsFinal(s);
      }
    });
  });

  it('KEY-2: the PKCS#11 store does not accept transfers yet, so no transport key is made or published', async () => {
    const store = await openStore({ url: ':memory:' });
    try {
      const keys = createKeyService({ store, keystore: ks, clock: systemClock, random: systemRandom });
      expect(keys.acceptsTransfers).toBe(false);
      const deps = { keys } as unknown as LifecycleDeps;
      await expect(ensureTransportKey(deps)).rejects.toMatchObject({ code: 'invalid_state' });
      expect(await keys.list()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('SIGN-4: an RSA-1024 key is refused before anything reaches the token', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await expect(ks.import(pair.privateKey.export({ type: 'pkcs8', format: 'der' }), 'weak')).rejects.toMatchObject({
      code: 'unsupported_algorithm',
    });
  });
});
