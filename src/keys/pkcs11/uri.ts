/**
 * PKCS#11 URIs (RFC 7512): `pkcs11:` path attributes separated by `;`, then an optional `?` query
 * with `&`-separated attributes (§2.3). Values are percent-decoded byte strings; `id` stays binary,
 * everything else is UTF-8 text (§2.3: "Textual attribute values" are UTF-8).
 *
 * The refs written to DB-2 never carry a PIN: `pin-value` belongs to configuration only (§2.3,
 * "pin-value … SHOULD NOT be used where the URI is stored or shared").
 */
import { ShomeiError } from '../../errors.js';

export interface Pkcs11Uri {
  /** Path attributes other than `id`, decoded (e.g. token, object, type, manufacturer). */
  readonly path: Readonly<Record<string, string>>;
  /** CKA_ID, raw bytes. */
  readonly id?: Buffer;
  /** Query attributes (pin-source, pin-value, module-name, module-path, vendor `x-…`). */
  readonly query: Readonly<Record<string, string>>;
}

const SCHEME = 'pkcs11:';
// RFC 7512 §2.3 pk11-path-res / pk11-query-res: characters that may appear unescaped. `;` `?` `&`
// and `%` are always escaped; `/` `?` `|` are allowed in the query only.
const PATH_SAFE = /[A-Za-z0-9\-._~:[\]@!$'()*+,=&]/;
const QUERY_SAFE = /[A-Za-z0-9\-._~:[\]@!$'()*+,=/?|;]/;
// Canonical order for output; unknown (vendor) attributes follow in insertion order.
const PATH_ORDER = ['token', 'id', 'object', 'type', 'manufacturer', 'serial', 'model'];

const invalid = (detail: string): ShomeiError =>
  new ShomeiError('invalid_parameter', { name: `PKCS#11 URI: ${detail}` });

/** RFC 3986 §2.1 percent-decoding into bytes; a stray `%` is an error. */
function decode(value: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c !== '%') {
      out.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const hex = value.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw invalid('bad percent-encoding');
    out.push(Number.parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(out);
}

function encode(bytes: Buffer, safe: RegExp): string {
  let s = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    s += b < 0x80 && safe.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return s;
}

/** `name=value` pairs; §2.3: an attribute MUST NOT be repeated within the path or the query. */
function pairs(part: string, sep: string): [string, Buffer][] {
  if (part === '') return [];
  const seen = new Set<string>();
  return part.split(sep).map((attr) => {
    const eq = attr.indexOf('=');
    if (eq <= 0) throw invalid(`attribute without a name or value: ${attr}`);
    const name = attr.slice(0, eq);
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw invalid(`attribute name ${name}`);
    if (seen.has(name)) throw invalid(`repeated attribute ${name}`);
    seen.add(name);
    return [name, decode(attr.slice(eq + 1))];
  });
}

export function parsePkcs11Uri(uri: string): Pkcs11Uri {
  if (!uri.toLowerCase().startsWith(SCHEME)) throw invalid('not a pkcs11: URI');
  const rest = uri.slice(SCHEME.length);
  const q = rest.indexOf('?');
  const pathPart = q === -1 ? rest : rest.slice(0, q);
  const queryPart = q === -1 ? '' : rest.slice(q + 1);
  const path: Record<string, string> = {};
  let id: Buffer | undefined;
  for (const [name, value] of pairs(pathPart, ';')) {
    if (name === 'id') id = value;
    else path[name] = value.toString('utf8');
  }
  const query: Record<string, string> = {};
  for (const [name, value] of pairs(queryPart, '&')) query[name] = value.toString('utf8');
  return id ? { path, id, query } : { path, query };
}

export function formatPkcs11Uri(uri: Pkcs11Uri): string {
  const names = [...PATH_ORDER.filter((n) => n === 'id' || n in uri.path), ...Object.keys(uri.path)];
  const path: string[] = [];
  for (const name of new Set(names)) {
    if (name === 'id') {
      // The id is binary: every byte escaped, as in the RFC's examples (§3.3).
      if (uri.id) path.push(`id=${[...uri.id].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`);
    } else {
      const v = uri.path[name];
      if (v !== undefined) path.push(`${name}=${encode(Buffer.from(v, 'utf8'), PATH_SAFE)}`);
    }
  }
  const query = Object.entries(uri.query).map(([n, v]) => `${n}=${encode(Buffer.from(v, 'utf8'), QUERY_SAFE)}`);
  return `${SCHEME}${path.join(';')}${query.length ? `?${query.join('&')}` : ''}`;
}

/** The DB-2 ref of a key (KEY-1): token, CKA_ID and CKA_LABEL; never a PIN or module path. */
export function keyRef(token: string, id: Buffer, object: string): string {
  return formatPkcs11Uri({ path: { token, object }, id, query: {} });
}

/** Token label and CKA_ID of a DB-2 ref; anything carrying a PIN is refused (§7 security). */
export function parseKeyRef(ref: string): { token: string; id: Buffer; object?: string } {
  const uri = parsePkcs11Uri(ref);
  if ('pin-value' in uri.query) throw invalid('a stored key ref must not carry pin-value');
  const token = uri.path['token'];
  if (token === undefined || !uri.id) throw invalid('a key ref needs token and id');
  const object = uri.path['object'];
  return object === undefined ? { token, id: uri.id } : { token, id: uri.id, object };
}
