/**
 * The caller's JAdES options, checked once (STYLE.md 7): every bad value is a catalogue error,
 * and the level/serialization/service combinations that cannot work are refused before signing.
 */
import { ShomeiError } from '../../errors.js';
import { checkServices } from '../levels.js';
import { ADES_LEVELS, type AdesLevel, type FormatServices } from '../ports.js';

export type JadesSerialization = 'compact' | 'json';

export interface JadesOptions {
  readonly level: AdesLevel;
  /** `compact` (RFC 7515 §7.1) for B-B only; `json` is the flattened JSON serialization (§7.2.2). */
  readonly serialization: JadesSerialization;
  /** Leave the document out; the protected `sigD` names it and carries its digest (TS 119 182-1 §5.2.8.3.3). */
  readonly detached?: boolean;
  /** Media type of the document: `cty` (attached) or `sigD.ctys` (detached). */
  readonly contentType?: string;
  /** Detached: the URI reference naming the document in `sigD.pars` (default `document`). */
  readonly documentUri?: string;
}

export interface CheckedOptions {
  readonly level: AdesLevel;
  readonly serialization: JadesSerialization;
  readonly detached: boolean;
  readonly contentType?: string;
  readonly documentUri: string;
}

const bad = (name: string, detail: string) => new ShomeiError('jades_invalid_option', { name, detail });

// RFC 6838 §4.2 type/subtype names, with optional parameters; no control characters or quotes games.
const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126})?(;[ -~]{1,200})?$/;
// RFC 3986 URI-reference characters only.
const URI_REFERENCE = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]{1,2048}$/;

export function checkOptions(opts: JadesOptions, services: FormatServices): CheckedOptions {
  if (typeof opts !== 'object' || opts === null) throw bad('options', 'missing');
  const { level, serialization } = opts;
  if (!ADES_LEVELS.includes(level)) throw bad('level', String(level));
  if (serialization !== 'compact' && serialization !== 'json') throw bad('serialization', String(serialization));
  if (opts.detached !== undefined && typeof opts.detached !== 'boolean') throw bad('detached', 'not a boolean');
  if (opts.contentType !== undefined && (typeof opts.contentType !== 'string' || !MEDIA_TYPE.test(opts.contentType))) {
    throw bad('contentType', 'not a media type');
  }
  const documentUri = opts.documentUri ?? 'document';
  if (typeof documentUri !== 'string' || !URI_REFERENCE.test(documentUri))
    throw bad('documentUri', 'not a URI reference');
  if (opts.documentUri !== undefined && !opts.detached) throw bad('documentUri', 'only for detached signatures');
  // TS 119 182-1 §5.3: unsigned properties live in the JWS Unprotected Header, which RFC 7515 §7.1 compact lacks.
  if (level !== 'B-B' && serialization === 'compact') throw new ShomeiError('jades_needs_json', { level });
  checkServices(level, services);
  return {
    level,
    serialization,
    detached: opts.detached === true,
    ...(opts.contentType !== undefined ? { contentType: opts.contentType } : {}),
    documentUri,
  };
}
