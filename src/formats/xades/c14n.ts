/**
 * Exclusive XML Canonicalization 1.0 without comments (the one C14N this module writes), with
 * xml-crypto's implementation for elements. Exclusive rather than inclusive C14N because an
 * enveloped signature sits inside someone else's document: inclusive C14N would pull the host
 * document's namespace declarations into SignedInfo and SignedProperties.
 */
import type { Document, Element, Node } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { ShomeiError } from '../../errors.js';
import { EXC_C14N } from './algorithms.js';

const exc = new ExclusiveCanonicalization();

/** C14N of an element subtree (an XPointer `#id` node-set minus comments, XML-DSig §4.4.3.3). */
export function canonicalElement(el: Element): Buffer {
  // xml-crypto types its DOM with the global lib.dom types; the xmldom objects are those nodes.
  return Buffer.from(exc.process(el as never, {}) as string, 'utf8');
}

/**
 * C14N of a whole document (a same-document `URI=""` reference): the document element plus the
 * processing instructions around it, each separated by a line feed; comments are dropped
 * (C14N 1.0 §2.1 document order, §1.1 #xA rules for nodes outside the document element).
 */
export function canonicalDocument(doc: Document): Buffer {
  const out: string[] = [];
  let afterRoot = false;
  for (let n: Node | null = doc.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === n.ELEMENT_NODE) {
      out.push(exc.process(n as never, {}) as string);
      afterRoot = true;
    } else if (n.nodeType === n.PROCESSING_INSTRUCTION_NODE) {
      const pi = n as unknown as { target: string; data: string };
      // xmldom keeps the XML declaration as a PI; it is not part of the data model.
      if (pi.target === 'xml') continue;
      const text = `<?${pi.target}${pi.data ? ` ${pi.data}` : ''}?>`;
      out.push(afterRoot ? `\n${text}` : `${text}\n`);
    }
  }
  return Buffer.from(out.join(''), 'utf8');
}

/** Only the C14N we write is accepted when we read a CanonicalizationMethod or Transform. */
export function checkC14n(uri: string | null): void {
  if (uri !== EXC_C14N) throw new ShomeiError('unsupported_algorithm', { detail: `canonicalization ${uri}` });
}
