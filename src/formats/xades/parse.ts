/**
 * Strict parsing of untrusted XML at the edge (STYLE.md 7): a size limit before anything else,
 * strict UTF-8, no DOCTYPE at all (so no DTD, no entity expansion, no external entities: XXE and
 * "billion laughs" cannot start), and every parser error or warning is a refusal.
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { ShomeiError } from '../../errors.js';

/**
 * Default limit on an input document. Parsing and canonicalising run on the event loop (about a
 * second per few MiB here), so the limit bounds how long one request can hold it; callers with
 * other needs pass `maxBytes`.
 */
export const MAX_XML_BYTES = 4 * 1024 * 1024;

export interface ParsedXml {
  /** The document as text; encoding it as UTF-8 gives back the input bytes exactly. */
  readonly text: string;
  readonly doc: Document;
  readonly root: Element;
}

const invalid = (detail: string): ShomeiError => new ShomeiError('xml_invalid', { detail });

function decode(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a byte-order mark in the text, so re-encoding gives the same bytes.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw invalid('not UTF-8');
  }
}

/** XML 1.0 §4.3.3: we accept only UTF-8 (or no declaration, which means UTF-8 here). */
function checkDeclaration(text: string): void {
  const decl = /^\uFEFF?<\?xml\s[^?]*\?>/.exec(text)?.[0];
  const enc = decl && /encoding\s*=\s*["']([^"']*)["']/.exec(decl)?.[1];
  if (enc && enc.toLowerCase() !== 'utf-8' && enc.toLowerCase() !== 'utf8') throw invalid(`encoding ${enc}`);
}

/** Parses text we produced or already checked (no size or encoding step). */
export function parseText(text: string): ParsedXml {
  // Refused before parsing: the parser never sees a DTD (case-insensitive, wherever it appears).
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new ShomeiError('xml_doctype_forbidden');
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        throw invalid(`${level}: ${message.split('\n')[0]}`);
      },
    }).parseFromString(text.replace(/^\uFEFF/, ''), 'text/xml');
  } catch (e) {
    if (e instanceof ShomeiError) throw e;
    throw invalid(e instanceof Error ? (e.message.split('\n')[0] ?? 'parse error') : 'parse error');
  }
  const root = doc.documentElement;
  if (!root) throw invalid('no root element');
  return { text, doc, root };
}

/** Parses an untrusted document: size, encoding, DOCTYPE, well-formedness and namespaces. */
export function parseXml(bytes: Uint8Array, maxBytes = MAX_XML_BYTES): ParsedXml {
  if (bytes.length > maxBytes) throw new ShomeiError('xml_too_large', { max: String(maxBytes) });
  const text = decode(bytes);
  checkDeclaration(text);
  return parseText(text);
}

/** PI text as written (between "<?" and "?>") against the parsed node (XML 1.0 §2.6, §2.11). */
function samePi(written: string, node: Node): boolean {
  if (node.nodeType !== node.PROCESSING_INSTRUCTION_NODE) return false;
  const { target, data } = node as unknown as { target: string; data: string };
  const body = written.replace(/\r\n?/g, '\n');
  if (body === target) return data === '';
  return (
    body.startsWith(target) && /^\s/.test(body.slice(target.length)) && body.slice(target.length).trimStart() === data
  );
}

/**
 * Where the root element starts and ends in the text of a parsed document, found by skipping the
 * prolog and epilog (white space, comments, processing instructions). Going backwards, a PI's
 * start is ambiguous ("<?" may occur inside it), so each one is matched against the parsed node.
 */
export function rootBounds({ text, root }: ParsedXml): { start: number; end: number } {
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  for (;;) {
    while (/\s/.test(text.charAt(i))) i++;
    const close = text.startsWith('<?', i) ? '?>' : text.startsWith('<!--', i) ? '-->' : undefined;
    if (!close) break;
    const at = text.indexOf(close, i);
    if (at < 0) throw invalid('unterminated prolog');
    i = at + close.length;
  }
  const epilog: Node[] = [];
  for (let n = root.nextSibling; n; n = n.nextSibling) if (n.nodeType !== n.TEXT_NODE) epilog.push(n);
  let j = text.length;
  for (let node = epilog.pop(); node; node = epilog.pop()) {
    while (j > 0 && /\s/.test(text.charAt(j - 1))) j--;
    const [open, close] = node.nodeType === node.COMMENT_NODE ? ['<!--', '-->'] : ['<?', '?>'];
    // A PI is at least as long as its parsed target and data (line-end normalisation only shortens),
    // so the search starts there; a "<?" inside the PI starts a shorter candidate and is skipped.
    const pi = node as unknown as { target?: string; data?: string };
    const least = open === '<?' ? (pi.target?.length ?? 0) + (pi.data?.length ?? 0) + 4 : 7;
    let from = text.endsWith(close, j) ? text.lastIndexOf(open, j - least) : -1;
    while (from >= 0 && open === '<?' && !samePi(text.slice(from + 2, j - 2), node)) {
      from = from > 0 ? text.lastIndexOf(open, from - 1) : -1;
    }
    if (from < 0) throw invalid('cannot find the end of the root element');
    j = from;
  }
  while (j > 0 && /\s/.test(text.charAt(j - 1))) j--;
  if (text.charAt(i) !== '<' || text.charAt(j - 1) !== '>' || j <= i) throw invalid('no root element');
  return { start: i, end: j };
}
