/**
 * C2SP signed-note (https://c2sp.org/signed-note), Ed25519 only: the format of golang.org/x/mod
 * sumdb/note, so any Go-ecosystem witness or verifier can check our checkpoints. Hand-written: the
 * format is a few lines and no maintained npm package implements it.
 *
 *   <text, ending in \n>
 *   \n
 *   — <name> <base64(key hash (4 bytes) || signature)>\n
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

/** Signature type byte for Ed25519 keys (signed-note "Signatures"). */
const ALG_ED25519 = 0x01;
const SIG_PREFIX = '— ';

/** Signs note text; the log's key may live in the keystore, so signing is asynchronous. */
export interface NoteSigner {
  readonly name: string;
  /** `<name>+<hex key hash>+<base64(0x01 || public key)>`. */
  readonly verifierKey: string;
  sign(msg: Buffer): Promise<Buffer>;
}

export interface NoteVerifierKey {
  readonly name: string;
  readonly keyHash: Buffer;
  readonly publicKey: KeyObject;
}

/** Key hash = first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key) — signed-note "Signatures". */
export function keyHash(name: string, rawPublicKey: Uint8Array): Buffer {
  return createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, ALG_ED25519]))
    .update(rawPublicKey)
    .digest()
    .subarray(0, 4);
}

export function verifierKeyString(name: string, rawPublicKey: Uint8Array): string {
  const encoded = Buffer.concat([Buffer.from([ALG_ED25519]), rawPublicKey]).toString('base64');
  return `${name}+${keyHash(name, rawPublicKey).toString('hex')}+${encoded}`;
}

/** Parses and checks a verifier key string; throws on anything malformed or inconsistent. */
export function parseVerifierKey(text: string): NoteVerifierKey {
  // The base64 part may itself contain '+', so split on the first two only.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text);
  if (!m) throw new Error('malformed verifier key');
  const [, name, hashHex, b64] = m as unknown as [string, string, string, string];
  const key = Buffer.from(b64, 'base64');
  if (key.length !== 33 || key[0] !== ALG_ED25519) throw new Error('verifier key is not an Ed25519 key');
  const raw = key.subarray(1);
  if (!keyHash(name, raw).equals(Buffer.from(hashHex, 'hex'))) throw new Error('verifier key hash mismatch');
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  return { name, keyHash: Buffer.from(hashHex, 'hex'), publicKey };
}

/** A signer over a Node Ed25519 private key (tests, CLI); the service wires a keystore-backed one. */
export function ed25519NoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  if (!/^[^+\s]+$/.test(name)) throw new Error('a note signer name has no spaces, newlines or +');
  const raw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
  return {
    name,
    verifierKey: verifierKeyString(name, raw),
    sign: async (msg) => sign(null, msg, privateKey),
  };
}

/** Ed25519 private key from a 32-byte seed (RFC 8410 PKCS#8 wrapping), e.g. for test vectors. */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });
}

/** Signs `text` (which must end in a newline) and returns the whole note. */
export async function signNote(text: string, signer: NoteSigner): Promise<string> {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  const { keyHash: id } = parseVerifierKey(signer.verifierKey);
  const sig = await signer.sign(Buffer.from(text, 'utf8'));
  return `${text}\n${SIG_PREFIX}${signer.name} ${Buffer.concat([id, sig]).toString('base64')}\n`;
}

/**
 * Returns the text of `note` if it carries a valid signature by `key`; throws otherwise. Signatures
 * by other keys are ignored, as signed-note allows (e.g. witness cosignatures).
 */
export function openNote(note: string, key: NoteVerifierKey): string {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('malformed note');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  for (const line of lines) {
    const m = /^— (\S+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    if (!m) throw new Error('malformed signature line');
    const blob = Buffer.from(m[2] as string, 'base64');
    if (m[1] !== key.name || !blob.subarray(0, 4).equals(key.keyHash)) continue;
    if (verify(null, Buffer.from(text, 'utf8'), key.publicKey, blob.subarray(4))) return text;
    throw new Error('invalid signature');
  }
  throw new Error('no signature by the log key');
}
