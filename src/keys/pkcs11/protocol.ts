/**
 * The messages between the parent's PKCS#11 process pool and its signing children (IPC with the
 * `advanced` serialisation, so digests and signatures travel as bytes, not base64). Only what a
 * signature needs crosses: the key's ref and type (never a wrapped key), the scheme by name, the
 * digests. The PIN crosses once, in `init`, over the IPC channel — never in argv or the environment,
 * which other local users can read (`ps`, /proc).
 */
import { catalogue, type ErrorCode, ShomeiError } from '../../errors.js';
import { HASHES, type HashName, type KeyType } from '../algorithms.js';
import type { KeyHandle } from '../keystore.js';
import type { ResolvedSignature, SchemeName } from '../signature.js';

export interface ChildInit {
  readonly type: 'init';
  readonly modulePath: string;
  readonly tokenLabel: string;
  readonly pin: string;
  readonly sessions: number;
}

export interface WireHandle {
  readonly id: string;
  readonly ref: string;
  readonly keyType: KeyType;
}

export interface WireSignature {
  readonly scheme: SchemeName;
  readonly hash: HashName;
  readonly saltLength?: number;
}

export type ChildRequest =
  | ChildInit
  | {
      readonly type: 'sign';
      readonly id: number;
      readonly handle: WireHandle;
      readonly sig: WireSignature;
      readonly digests: Uint8Array[];
    }
  | { readonly type: 'signMessage'; readonly id: number; readonly handle: WireHandle; readonly message: Uint8Array };

export interface WireError {
  readonly code: string;
  readonly params: Record<string, string>;
}

export type ChildReply =
  | { readonly type: 'ready' }
  | { readonly type: 'init-failed'; readonly error: WireError }
  | { readonly type: 'result'; readonly id: number; readonly signatures: Uint8Array[] }
  | { readonly type: 'failed'; readonly id: number; readonly error: WireError };

export const toWireHandle = (h: KeyHandle): WireHandle => ({ id: h.id, ref: h.ref, keyType: h.keyType });
export const fromWireHandle = (h: WireHandle): KeyHandle => ({ ...h, wrapped: null });

export const toWireSignature = (s: ResolvedSignature): WireSignature => ({
  scheme: s.scheme,
  hash: s.hash.name,
  ...(s.saltLength === undefined ? {} : { saltLength: s.saltLength }),
});

export const fromWireSignature = (s: WireSignature): ResolvedSignature => ({
  scheme: s.scheme,
  hash: HASHES[s.hash],
  ...(s.saltLength === undefined ? {} : { saltLength: s.saltLength }),
});

/** A catalogue error keeps its code across the process boundary; anything else is a keystore_error. */
export const toWireError = (e: unknown): WireError =>
  e instanceof ShomeiError ? { code: e.code, params: e.params } : { code: 'keystore_error', params: {} };

export const fromWireError = (e: WireError): ShomeiError =>
  Object.hasOwn(catalogue, e.code) ? new ShomeiError(e.code as ErrorCode, e.params) : new ShomeiError('keystore_error');

/** Bytes that came through structured clone are Uint8Arrays: view them as Buffers without copying. */
export const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
