/**
 * Reading a JAdES signature from untrusted bytes, once (STYLE.md 7): the compact or flattened JSON
 * serialization (RFC 7515 §7) into its base64url parts, and the protected header into typed
 * values. Everything not well-formed is jades_malformed; whether it verifies is verify.ts's job.
 */
import { ShomeiError } from '../../errors.js';
import { type JwsAlgorithm, jwsAlgorithm } from './alg.js';
import { fromB64, fromB64url } from './codec.js';
import { OBJECT_ID_BY_URI_HASH, type SigD } from './header.js';

export interface ParsedJws {
  readonly protectedB64: string;
  /** As serialized; '' when detached. */
  readonly payloadB64: string;
  readonly signatureB64: string;
  readonly etsiU: readonly string[];
  readonly header: ParsedHeader;
}

export interface ParsedHeader {
  readonly jws: JwsAlgorithm;
  readonly chain: Buffer[];
  readonly x5tS256: Buffer;
  readonly signingTime: Date;
  readonly sigD?: SigD;
}

const malformed = (detail: string) => new ShomeiError('jades_malformed', { detail });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SIG_T = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** The critical parameters this implementation understands (RFC 7515 §4.1.11: reject any other). */
const UNDERSTOOD_CRIT = new Set(['sigT', 'sigD']);

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(`${what} is not JSON`);
  }
}

export function parseJws(input: Uint8Array | string): ParsedJws {
  const text = (typeof input === 'string' ? input : Buffer.from(input).toString('utf8')).trim();
  let parts: { protectedB64: unknown; payloadB64: unknown; signatureB64: unknown; unprotected: unknown };
  if (text.startsWith('{')) {
    const j = parseJson(text, 'the JWS');
    if (!isObject(j) || 'signatures' in j) throw malformed('not a flattened JWS JSON serialization');
    parts = {
      protectedB64: j.protected,
      payloadB64: j.payload ?? '',
      signatureB64: j.signature,
      unprotected: j.header,
    };
  } else {
    const segments = text.split('.');
    if (segments.length !== 3) throw malformed('a compact JWS has three parts');
    const [p, pl, s] = segments as [string, string, string];
    parts = { protectedB64: p, payloadB64: pl, signatureB64: s, unprotected: undefined };
  }
  for (const [name, v] of Object.entries(parts)) {
    if (name !== 'unprotected') fromB64url(v, name); // throws unless base64url text
  }
  const protectedB64 = parts.protectedB64 as string;
  return {
    protectedB64,
    payloadB64: parts.payloadB64 as string,
    signatureB64: parts.signatureB64 as string,
    etsiU: parseUnprotected(parts.unprotected),
    header: parseHeader(parseJson(fromB64url(protectedB64, 'protected').toString('utf8'), 'the protected header')),
  };
}

/** RFC 7515 §7.2.1: the unprotected header; here only `etsiU`, an array of base64url strings (§5.3.1). */
function parseUnprotected(h: unknown): string[] {
  if (h === undefined) return [];
  if (!isObject(h) || Object.keys(h).some((k) => k !== 'etsiU') || !Array.isArray(h.etsiU)) {
    throw malformed('the unprotected header may hold etsiU only');
  }
  return h.etsiU.map((e, i) => {
    fromB64url(e, `etsiU[${i}]`);
    return e as string;
  });
}

function parseHeader(h: unknown): ParsedHeader {
  if (!isObject(h)) throw malformed('the protected header is not an object');
  const jws = jwsAlgorithm(h.alg);
  if (!jws) throw new ShomeiError('unsupported_algorithm', { detail: `JWS alg ${String(h.alg)}` });
  if ('b64' in h) throw malformed('b64 (RFC 7797) is not supported');
  if (!Array.isArray(h.x5c) || h.x5c.length === 0) throw malformed('x5c is missing');
  const chain = h.x5c.map((c, i) => fromB64(c, `x5c[${i}]`));
  if (typeof h.sigT !== 'string' || !SIG_T.test(h.sigT) || Number.isNaN(Date.parse(h.sigT))) {
    throw malformed('sigT is missing or not YYYY-MM-DDThh:mm:ssZ');
  }
  const crit = h.crit;
  if (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => typeof c !== 'string')) {
    throw malformed('crit is missing');
  }
  for (const c of crit as string[]) {
    if (!UNDERSTOOD_CRIT.has(c)) throw malformed(`crit names ${c}, which is not understood`);
    if (!(c in h)) throw malformed(`crit names ${c}, which is absent`);
  }
  if (!crit.includes('sigT') || ('sigD' in h && !crit.includes('sigD')))
    throw malformed('crit must name sigT and sigD');
  return {
    jws,
    chain,
    x5tS256: fromB64url(h['x5t#S256'], 'x5t#S256'),
    signingTime: new Date(h.sigT),
    ...('sigD' in h ? { sigD: parseSigD(h.sigD) } : {}),
  };
}

function parseSigD(s: unknown): SigD {
  if (!isObject(s) || s.mId !== OBJECT_ID_BY_URI_HASH) throw malformed('sigD: only ObjectIdByURIHash is supported');
  const strings = (v: unknown, what: string): string[] => {
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string')) throw malformed(`sigD.${what}`);
    return v as string[];
  };
  const pars = strings(s.pars, 'pars');
  const hashV = strings(s.hashV, 'hashV');
  if (pars.length !== 1 || hashV.length !== 1) throw malformed('sigD: one detached document is supported');
  if (typeof s.hashM !== 'string') throw malformed('sigD.hashM');
  return {
    mId: s.mId,
    pars,
    hashM: s.hashM,
    hashV,
    ...(s.ctys !== undefined ? { ctys: strings(s.ctys, 'ctys') } : {}),
  };
}
