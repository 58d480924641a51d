/**
 * Structured clone copies a typed array's whole backing ArrayBuffer, and Node's small Buffers are
 * slices of a shared 8 KiB pool: posting one 32-byte digest would copy 8 KiB, and would carry
 * unrelated bytes of that pool (possibly other requests' data) into the worker. So everything that
 * crosses the thread boundary is first copied into an ArrayBuffer of its own.
 */
const own = (u: Uint8Array): Uint8Array =>
  u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u : new Uint8Array(u);

/** A shallow copy of `msg` whose Uint8Array fields (and arrays of them) own their memory. */
export function compact<T extends object>(msg: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg)) {
    if (v instanceof Uint8Array) out[k] = own(v);
    else if (Array.isArray(v) && v.every((x) => x instanceof Uint8Array)) out[k] = v.map(own);
    else out[k] = v;
  }
  return out as T;
}

/** A result: one array or a list of them. */
export const compactResult = (r: Uint8Array | Uint8Array[]): Uint8Array | Uint8Array[] =>
  Array.isArray(r) ? r.map(own) : own(r);
