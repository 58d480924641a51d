/**
 * KEY-2 transfer from a CA into the token, the plaintext key never in this process. A transfer
 * (keys/transport.ts) is what CKM_RSA_AES_KEY_WRAP (v2.40 Current Mechanisms §2.1.21) makes; a
 * module without that mechanism (SoftHSM 2.6) unwraps its two halves with two C_UnwrapKey calls
 * (v2.40 §5.13), which is all CKM_RSA_AES_KEY_WRAP does inside:
 * 1. CKM_RSA_PKCS_OAEP (§2.1.8: SHA-256, MGF1-SHA-256, empty label) of the first modulus-length
 *    bytes under the transport key → a session AES-256 key (CKA_TOKEN=false) that can only unwrap;
 * 2. CKM_AES_KEY_WRAP_PAD (§2.14.3) of the rest under it → the private key, with a signing key's
 *    attributes (templates.ts). The session key is destroyed whatever happens.
 * The key type and the public key object come from the SPKI the CA certified: a module must know
 * the type before it unwraps, and need not expose an EC private key's point. Where the private
 * object shows its public parts (RSA modulus, EC curve) they are checked against it here; in every
 * case the service proves possession under the certificate before the key is used.
 *
 * Both unwraps run on libuv's thread pool (C_UnwrapKeyAsync), not only because RSA decryption takes
 * time: SoftHSM shares this process's OpenSSL and leaves its error queue full when the wrapped
 * bytes are bad, and a stale error there makes node:crypto's next call on that thread fail.
 */
import pkcs11js from 'pkcs11js';
import { ShomeiError } from '../../errors.js';
import { KEY_TYPES } from '../algorithms.js';
import { ckr, recoverable } from './ckr.js';
import { importTemplates, type ParsedPkcs8, sessionWrappingKey } from './import.js';
import { readSpki } from './objects.js';
import { ecParams } from './spki.js';

/** v2.40 §2.1.8 CK_RSA_PKCS_OAEP_PARAMS.source; pkcs11js 2.1 has no name for it. */
const CKZ_DATA_SPECIFIED = 1;

/** RSA-OAEP as transport.ts wraps: SHA-256, MGF1-SHA-256, empty label (RFC 8017 §7.1). */
export const OAEP_SHA256: pkcs11js.RsaOAEP = {
  type: pkcs11js.CK_PARAMS_RSA_OAEP,
  hashAlg: pkcs11js.CKM_SHA256,
  mgf: pkcs11js.CKG_MGF1_SHA256,
  source: CKZ_DATA_SPECIFIED,
};

/** The same with SHA-1 and MGF1-SHA-1, for tokens that unwrap no other OAEP (SoftHSM 2.6). */
export const OAEP_SHA1: pkcs11js.RsaOAEP = {
  type: pkcs11js.CK_PARAMS_RSA_OAEP,
  hashAlg: pkcs11js.CKM_SHA_1,
  mgf: pkcs11js.CKG_MGF1_SHA1,
  source: CKZ_DATA_SPECIFIED,
};

/** Return values that say the token refused the OAEP parameters, not the data (SoftHSM 2.6: SHA-1 only). */
const PARAMS_REFUSED: ReadonlySet<number> = new Set([
  pkcs11js.CKR_ARGUMENTS_BAD,
  pkcs11js.CKR_MECHANISM_INVALID,
  pkcs11js.CKR_MECHANISM_PARAM_INVALID,
]);
/** Return values about the token, not the transfer: passed on as they are. */
const TOKEN_TROUBLE: ReadonlySet<number> = new Set([
  pkcs11js.CKR_DEVICE_ERROR,
  pkcs11js.CKR_DEVICE_MEMORY,
  pkcs11js.CKR_HOST_MEMORY,
  pkcs11js.CKR_KEY_HANDLE_INVALID,
  pkcs11js.CKR_OBJECT_HANDLE_INVALID,
]);

const invalid = () => new ShomeiError('key_transfer_invalid', { detail: 'integrity check failed' });

/** One answer for every failure of the wrapped bytes (OAEP or KWP integrity): no oracle for them. */
async function unwrapping<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    const rv = ckr(e);
    if (rv === undefined || recoverable(e) || TOKEN_TROUBLE.has(rv)) throw e;
    if (PARAMS_REFUSED.has(rv)) {
      throw new ShomeiError('invalid_state', {
        detail: 'the token cannot unwrap RSA-OAEP with SHA-256 (SoftHSM 2.6 offers SHA-1 only)',
      });
    }
    throw invalid();
  }
}

export interface Transfer {
  /** The transport key's private object (CKA_UNWRAP=true) and its modulus length in bytes. */
  readonly transportKey: pkcs11js.Handle;
  readonly modulusBytes: number;
  readonly wrapped: Uint8Array;
  /** The certified public key (admin/key-import.ts passes the end-entity certificate's). */
  readonly key: ParsedPkcs8;
  readonly id: Buffer;
  readonly label: string;
  /** The transfer's OAEP parameters: OAEP_SHA256, or OAEP_SHA1 (transport.ts OaepHash). */
  readonly oaep: pkcs11js.RsaOAEP;
}

/**
 * The format says AES-256 (transport.ts). A module that reports CKA_VALUE_LEN is held to it;
 * SoftHSM 2.6 reports 0 for an unwrapped key and refuses the attribute in the template.
 */
function isAes256(p11: pkcs11js.PKCS11, session: pkcs11js.Handle, aes: pkcs11js.Handle): boolean {
  const [len] = p11.C_GetAttributeValue(session, aes, [{ type: pkcs11js.CKA_VALUE_LEN }]);
  // CK_ULONG in host order: 8 bytes on LP64, 4 on Windows.
  const v = len?.value;
  const bytes = !v ? 0 : v.length === 8 ? Number(v.readBigUInt64LE()) : v.length === 4 ? v.readUInt32LE() : -1;
  return bytes === 0 || bytes === 32;
}

/** Steps 1 and 2: the private key object; nothing else is left in the token. */
async function unwrapPrivate(
  p11: pkcs11js.PKCS11,
  session: pkcs11js.Handle,
  t: Transfer,
  template: pkcs11js.Template,
): Promise<pkcs11js.Handle> {
  if (t.wrapped.length <= t.modulusBytes + 16) throw invalid();
  const wrapped = Buffer.from(t.wrapped);
  const oaep = { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter: t.oaep };
  const encryptedKey = wrapped.subarray(0, t.modulusBytes);
  const aes = await unwrapping(() =>
    p11.C_UnwrapKeyAsync(session, oaep, t.transportKey, encryptedKey, sessionWrappingKey()),
  );
  try {
    if (!isAes256(p11, session, aes)) throw invalid();
    const kwp = { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD };
    return await unwrapping(() => p11.C_UnwrapKeyAsync(session, kwp, aes, wrapped.subarray(t.modulusBytes), template));
  } finally {
    p11.C_DestroyObject(session, aes);
  }
}

/** What the private object shows of its public half, against the certified key. */
function matchesCertified(p11: pkcs11js.PKCS11, session: pkcs11js.Handle, priv: pkcs11js.Handle, t: Transfer) {
  const info = KEY_TYPES[t.key.keyType];
  if (info.family === 'rsa') {
    const [n] = p11.C_GetAttributeValue(session, priv, [{ type: pkcs11js.CKA_MODULUS }]);
    const want = Buffer.from(t.key.jwk.n ?? '', 'base64url');
    return n !== undefined && stripZeros(n.value).equals(stripZeros(want));
  }
  const [params] = p11.C_GetAttributeValue(session, priv, [{ type: pkcs11js.CKA_EC_PARAMS }]);
  return params?.value.equals(ecParams(info)) === true;
}

const stripZeros = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
};

/** KEY-2: the transferred key as a private and a public token object; returns the public key's SPKI. */
export async function importTransfer(p11: pkcs11js.PKCS11, session: pkcs11js.Handle, t: Transfer): Promise<Buffer> {
  const info = KEY_TYPES[t.key.keyType];
  // SoftHSM cannot C_UnwrapKey an EdDSA PKCS#8 (import.ts), and signHash never uses Ed25519.
  if (info.family === 'ed25519') throw new ShomeiError('unsupported_algorithm', { detail: 'Ed25519 transfer' });
  const templates = importTemplates(t.key, t.id, t.label);
  const priv = await unwrapPrivate(p11, session, t, templates.privateKey);
  let pub: pkcs11js.Handle | undefined;
  try {
    if (!matchesCertified(p11, session, priv, t)) {
      throw new ShomeiError('proof_of_possession_failed', { detail: 'the transferred key is not the certified one' });
    }
    pub = p11.C_CreateObject(session, templates.publicKey);
    return readSpki(p11, session, pub, info);
  } catch (e) {
    for (const o of [priv, pub]) if (o) p11.C_DestroyObject(session, o);
    throw e;
  }
}
