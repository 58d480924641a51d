/**
 * KEY-2 transfer from a CA (seed 003): a CA hands over a signer's key wrapped for this service's
 * transport key (RSA-3072, purpose `transport`, published at `GET /keys/transport`), so the
 * plaintext key never travels. The wrapping is exactly PKCS#11 v2.40 Current Mechanisms §2.1.21
 * CKM_RSA_AES_KEY_WRAP, so a CA with an HSM can produce it with one C_WrapKey:
 *
 *   wrapped = RSAES-OAEP(transport key, SHA-256, MGF1-SHA-256, empty label)(K)   [RFC 8017 §7.1]
 *          || AES-KWP(K, PKCS#8 DER of the signer's private key)                  [RFC 5649 §4.1]
 *
 * with K a fresh AES-256 key used once. The file is JSON (format `shomei-key-transfer/1`):
 *
 *   { "format": "shomei-key-transfer/1",
 *     "mechanism": "CKM_RSA_AES_KEY_WRAP", "oaepHash": "SHA-256", "aesKeyBits": 256,
 *     "transportKey": "<hex SHA-256 of the transport key's SubjectPublicKeyInfo DER>",
 *     "wrapped": "<base64 of the bytes above>" }
 *
 * `transportKey` names the key it was made for, so a transfer for another service (or an old
 * transport key) is refused before any private operation. The CA also sends the certificate chain
 * for the key; the service proves possession before the credential is enabled (admin/lifecycle.ts).
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { ShomeiError } from '../errors.js';

export const TRANSFER_FORMAT = 'shomei-key-transfer/1';
export const TRANSPORT_KEY_TYPE = 'RSA-3072';
export const TRANSPORT_PURPOSE = 'transport';
const AES_KEY_BYTES = 32;
/** RFC 5649 §3 alternative initial value (the MLI follows inside the cipher). */
const KWP_AIV = Buffer.from('a65959a6', 'hex');
const MAX_WRAPPED = 16_384;

/**
 * The OAEP hash (and MGF1 hash). SHA-256 by default; SHA-1, which CKM_RSA_AES_KEY_WRAP allows too
 * (OAEP's security does not rest on collision resistance), for tokens that unwrap OAEP with SHA-1
 * only — SoftHSM 2.6 (SoftHSMv2 #474).
 */
export type OaepHash = 'SHA-256' | 'SHA-1';
const OAEP_HASHES: readonly OaepHash[] = ['SHA-256', 'SHA-1'];
const nodeHash = (h: OaepHash) => (h === 'SHA-1' ? 'sha1' : 'sha256');

export interface KeyTransfer {
  readonly format: typeof TRANSFER_FORMAT;
  readonly mechanism: 'CKM_RSA_AES_KEY_WRAP';
  readonly oaepHash: OaepHash;
  readonly aesKeyBits: 256;
  /** Hex SHA-256 of the transport key's SPKI DER. */
  readonly transportKey: string;
  readonly wrapped: Buffer;
}

export const transportKeyId = (spki: Uint8Array): string => createHash('sha256').update(spki).digest('hex');

/** RSA-3072 modulus in bytes: the OAEP part of `wrapped`. */
const oaepLength = (spki: Uint8Array): number =>
  Math.ceil(
    (createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength ??
      0) / 8,
  );

/**
 * The CA side: wraps a PKCS#8 key for a transport key (its SPKI DER, from `GET /keys/transport`).
 * `aesKey` is for tests only; by default a fresh random one is used and wiped.
 */
export function wrapForTransport(
  transportSpki: Uint8Array,
  pkcs8Der: Uint8Array,
  opts: { oaepHash?: OaepHash; aesKey?: Uint8Array } = {},
): KeyTransfer {
  const oaepHash = opts.oaepHash ?? 'SHA-256';
  const k = opts.aesKey ? Buffer.from(opts.aesKey) : randomBytes(AES_KEY_BYTES);
  try {
    const pub = createPublicKey({ key: Buffer.from(transportSpki), format: 'der', type: 'spki' });
    const padding = constants.RSA_PKCS1_OAEP_PADDING;
    const encryptedKey = publicEncrypt({ key: pub, padding, oaepHash: nodeHash(oaepHash) }, k);
    const cipher = createCipheriv('id-aes256-wrap-pad', k, KWP_AIV);
    const wrappedKey = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
    return {
      format: TRANSFER_FORMAT,
      mechanism: 'CKM_RSA_AES_KEY_WRAP',
      oaepHash,
      aesKeyBits: 256,
      transportKey: transportKeyId(transportSpki),
      wrapped: Buffer.concat([encryptedKey, wrappedKey]),
    };
  } finally {
    k.fill(0);
  }
}

export function encodeTransfer(t: KeyTransfer): string {
  return `${JSON.stringify({ ...t, wrapped: t.wrapped.toString('base64') }, null, 2)}\n`;
}

const invalid = (detail: string) => new ShomeiError('key_transfer_invalid', { detail });

/** Parses a transfer file at the edge; refuses other formats, mechanisms and sizes. */
export function parseTransfer(text: string): KeyTransfer {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw invalid('not a JSON transfer file');
  }
  if (v.format !== TRANSFER_FORMAT) throw invalid(`format is not ${TRANSFER_FORMAT}`);
  const oaepHash = OAEP_HASHES.find((h) => h === v.oaepHash);
  if (v.mechanism !== 'CKM_RSA_AES_KEY_WRAP' || !oaepHash || v.aesKeyBits !== 256) {
    throw invalid('only CKM_RSA_AES_KEY_WRAP with OAEP SHA-256 (or SHA-1) and AES-256');
  }
  if (typeof v.transportKey !== 'string' || !/^[0-9a-f]{64}$/.test(v.transportKey)) throw invalid('transportKey');
  if (typeof v.wrapped !== 'string' || v.wrapped.length > MAX_WRAPPED) throw invalid('wrapped');
  return {
    format: TRANSFER_FORMAT,
    mechanism: 'CKM_RSA_AES_KEY_WRAP',
    oaepHash,
    aesKeyBits: 256,
    transportKey: v.transportKey,
    wrapped: Buffer.from(v.wrapped, 'base64'),
  };
}

/** Checks that the transfer was made for this transport key. */
export function checkTransportKey(t: KeyTransfer, transportSpki: Uint8Array): void {
  if (t.transportKey !== transportKeyId(transportSpki)) throw invalid('it was wrapped for another transport key');
  if (t.wrapped.length <= oaepLength(transportSpki) + 16) throw invalid('wrapped is too short');
}

/**
 * The unwrapping half of CKM_RSA_AES_KEY_WRAP with a software private key: the PKCS#8 DER, which
 * the caller wipes (`fill(0)`) once imported. The AES key is wiped here.
 */
export function unwrapWithPrivateKey(transport: KeyObject, wrapped: Uint8Array, oaepHash: OaepHash): Buffer {
  const k = Math.ceil((transport.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  let aes: Buffer | undefined;
  try {
    aes = privateDecrypt(
      { key: transport, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: nodeHash(oaepHash) },
      Buffer.from(wrapped.subarray(0, k)),
    );
    if (aes.length !== AES_KEY_BYTES) throw new Error('AES key length');
    const decipher = createDecipheriv('id-aes256-wrap-pad', aes, KWP_AIV);
    return Buffer.concat([decipher.update(wrapped.subarray(k)), decipher.final()]);
  } catch {
    // One answer for every failure (OAEP or KWP integrity): no oracle for the wrapped bytes.
    throw invalid('integrity check failed');
  } finally {
    aes?.fill(0);
  }
}
