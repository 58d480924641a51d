/**
 * Where the signature goes and what its data reference points at (EN 319 132-1 §4.2; XML-DSig
 * §2): enveloped (last child of the root, `URI=""` + enveloped-signature), enveloping (the
 * document inside a ds:Object, `URI="#id"`), detached (an external URI, the digest of its bytes).
 */
import { ShomeiError } from '../../errors.js';
import { ENVELOPED, EXC_C14N } from './algorithms.js';
import { ids } from './model.js';
import { type ParsedXml, parseXml, rootBounds } from './parse.js';
import type { DetachedResolver } from './references.js';

export type XadesPackaging = 'enveloped' | 'enveloping' | 'detached';

/** A detached document: its bytes (any content), and the MIME type for DataObjectFormat. */
export interface DetachedDocument {
  readonly bytes: Uint8Array;
  readonly mimeType?: string;
}

export interface PackagingOptions {
  readonly packaging: XadesPackaging;
  /** Detached: the URI the Reference names (relative or absolute; the bytes are given, not fetched). */
  readonly detachedUri?: string;
  /** MimeType for DataObjectFormat (default text/xml for XML, the document's or octet-stream for detached). */
  readonly mimeType?: string;
  readonly maxBytes?: number;
}

export interface Placement {
  /** Enveloped: the parsed input, under whose root the signature is imported (locate.ts). */
  readonly host?: ParsedXml;
  readonly before: string;
  readonly after: string;
  readonly dataObject: string;
  readonly uri: string;
  readonly transforms: readonly string[];
  readonly mimeType: string;
  readonly detached: DetachedResolver;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
/** RFC 6838 §4.2 restricted names (no '&', so the value needs no escaping in XML). */
const MIME = /^[a-z0-9][a-z0-9!#$^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$^_.+-]{0,126}$/i;
/** RFC 3986 characters only, no fragment-only or empty URI (those mean this document). */
const DETACHED_URI = /^[A-Za-z0-9._~:/?@!$&'()*+,;=%-][A-Za-z0-9._~:/?#@!$&'()*+,;=%-]{0,2047}$/;

const badOption = (name: string): ShomeiError => new ShomeiError('invalid_parameter', { name });

function mime(value: string | undefined, fallback: string): string {
  const m = value ?? fallback;
  if (!MIME.test(m)) throw badOption('mimeType');
  return m;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function enveloped(xml: Uint8Array, o: PackagingOptions): Placement {
  const parsed = parseXml(xml, o.maxBytes);
  const { text, root } = parsed;
  const { start, end } = rootBounds(parsed);
  const element = text.slice(start, end);
  const endTag = new RegExp(`</${escapeRegExp(root.tagName)}\\s*>$`).exec(element);
  const common = {
    host: parsed,
    dataObject: '',
    uri: '',
    transforms: [ENVELOPED, EXC_C14N],
    detached: () => undefined,
  };
  const mimeType = mime(o.mimeType, 'text/xml');
  if (endTag) {
    const at = start + endTag.index;
    return { ...common, mimeType, before: text.slice(0, at), after: text.slice(at) };
  }
  // An empty root written as <root/> is opened up to hold the signature.
  if (!element.endsWith('/>')) throw new ShomeiError('xml_invalid', { detail: 'cannot find the end of the root' });
  return { ...common, mimeType, before: `${text.slice(0, end - 2)}>`, after: `</${root.tagName}>${text.slice(end)}` };
}

function enveloping(xml: Uint8Array, o: PackagingOptions, id: string): Placement {
  const parsed = parseXml(xml, o.maxBytes);
  const { text } = parsed;
  const { start, end } = rootBounds(parsed);
  const mimeType = mime(o.mimeType, 'text/xml');
  const open = `<ds:Object Id="${ids(id).dataObject}" MimeType="${mimeType}">`;
  return {
    before: DECLARATION,
    after: '',
    dataObject: `${open}${text.slice(start, end)}</ds:Object>`,
    uri: `#${ids(id).dataObject}`,
    transforms: [EXC_C14N],
    mimeType,
    detached: () => undefined,
  };
}

function detached(input: Uint8Array | DetachedDocument, o: PackagingOptions): Placement {
  const doc = input instanceof Uint8Array ? { bytes: input } : input;
  const uri = o.detachedUri;
  if (!uri || !DETACHED_URI.test(uri)) throw badOption('detachedUri');
  if (o.maxBytes !== undefined && doc.bytes.length > o.maxBytes) throw badOption('document (too large)');
  return {
    before: DECLARATION,
    after: '',
    dataObject: '',
    uri,
    transforms: [],
    mimeType: mime(o.mimeType ?? doc.mimeType, 'application/octet-stream'),
    detached: (u) => (u === uri ? doc.bytes : undefined),
  };
}

/** The host text around the signature and the data reference, for one packaging. */
export function place(input: Uint8Array | DetachedDocument, o: PackagingOptions, id: string): Placement {
  if (o.packaging === 'detached') return detached(input, o);
  if (!(input instanceof Uint8Array)) throw badOption('document (XML bytes expected)');
  if (o.packaging === 'enveloped') return enveloped(input, o);
  if (o.packaging === 'enveloping') return enveloping(input, o, id);
  throw badOption('packaging');
}
