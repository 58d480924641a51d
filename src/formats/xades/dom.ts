/** Small DOM helpers over xmldom: children by namespace and local name, Id lookup, text escaping. */
import type { Document, Element, Node } from '@xmldom/xmldom';
import { ShomeiError } from '../../errors.js';

const isElement = (n: Node): n is Element => n.nodeType === n.ELEMENT_NODE;

export function childElements(el: Element | Document, ns?: string, local?: string): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (!isElement(n)) continue;
    if (ns !== undefined && n.namespaceURI !== ns) continue;
    if (local !== undefined && n.localName !== local) continue;
    out.push(n);
  }
  return out;
}

/** The one child with this name, or a structural error saying which is missing. */
export function child(el: Element, ns: string, local: string): Element {
  const found = childElements(el, ns, local);
  if (found.length !== 1) throw new ShomeiError('xades_signature_invalid', { detail: `expected one ${local}` });
  return found[0] as Element;
}

export const optionalChild = (el: Element, ns: string, local: string): Element | undefined =>
  childElements(el, ns, local)[0];

/** Every element in document order (iterative: a deeply nested input must not exhaust the stack). */
export function allElements(root: Element): Element[] {
  const out: Element[] = [];
  const stack: Element[] = [root];
  for (let e = stack.pop(); e; e = stack.pop()) {
    out.push(e);
    stack.push(...childElements(e).reverse());
  }
  return out;
}

/**
 * The element whose `Id` attribute is `id`. More than one is refused: an ambiguous Id is how
 * signature-wrapping attacks make a verifier digest one element and the application read another.
 */
export function elementById(doc: Document, id: string): Element {
  const root = doc.documentElement;
  const found = root ? allElements(root).filter((e) => e.getAttribute('Id') === id) : [];
  if (found.length !== 1) {
    throw new ShomeiError('xades_signature_invalid', { detail: `Id ${id} found ${found.length} times` });
  }
  return found[0] as Element;
}

/** Text content of an element, base64-decoded (white space allowed, XML-DSig base64Binary). */
export function base64Text(el: Element): Buffer {
  const text = (el.textContent ?? '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new ShomeiError('xades_signature_invalid', { detail: `${el.localName} is not base64` });
  }
  return Buffer.from(text, 'base64');
}

/** Escapes text for element content and double-quoted attribute values. */
export const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
