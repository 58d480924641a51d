/**
 * Typed reads of a CSC answer (STYLE.md 7: parse once at the edge). A missing or mistyped field is
 * a CscTransportError naming the method and field — never a TypeError deep in a caller.
 */
import { CscTransportError } from './errors.js';
import type { Json } from './transport.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class Reader {
  constructor(
    private readonly method: string,
    private readonly json: Json,
  ) {}

  private bad(field: string): never {
    throw new CscTransportError('bad_response', `${this.method}: missing or invalid ${field} in the answer`);
  }

  /** The unchecked value, for shapes the helpers below do not cover. */
  raw(field: string): unknown {
    return this.json[field];
  }

  has(field: string): boolean {
    return this.json[field] !== undefined && this.json[field] !== null;
  }

  str(field: string): string {
    const v = this.json[field];
    return typeof v === 'string' ? v : this.bad(field);
  }

  optStr(field: string): string | undefined {
    return this.has(field) ? this.str(field) : undefined;
  }

  num(field: string): number {
    const v = this.json[field];
    return typeof v === 'number' && Number.isFinite(v) ? v : this.bad(field);
  }

  optNum(field: string): number | undefined {
    return this.has(field) ? this.num(field) : undefined;
  }

  strs(field: string): string[] {
    const v = this.json[field];
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : this.bad(field);
  }

  /** An array of standard base64 strings (csc-api-v2.md §1) as bytes. */
  binaries(field: string): Buffer[] {
    return this.strs(field).map((s) => (BASE64.test(s) ? Buffer.from(s, 'base64') : this.bad(field)));
  }

  binary(field: string): Buffer {
    const s = this.str(field);
    return BASE64.test(s) ? Buffer.from(s, 'base64') : this.bad(field);
  }

  obj(field: string): Reader {
    const v = this.json[field];
    return v && typeof v === 'object' && !Array.isArray(v) ? new Reader(this.method, v as Json) : this.bad(field);
  }

  optObj(field: string): Reader | undefined {
    return this.has(field) ? this.obj(field) : undefined;
  }

  objs(field: string): Reader[] {
    const v = this.json[field];
    if (!Array.isArray(v) || !v.every((o) => o && typeof o === 'object')) this.bad(field);
    return (v as Json[]).map((o) => new Reader(this.method, o));
  }
}

export const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
