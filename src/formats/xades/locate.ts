/**
 * The signature as a DOM, for digests, canonical parts and the archive time-stamp input, without
 * re-parsing a large host document at every step: enveloped, the signature is parsed on its own
 * and imported into the already parsed input as the root's last child (where the text puts it);
 * otherwise the signature (with any enveloped data) is the whole document.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { ShomeiError } from '../../errors.js';
import { NS } from './algorithms.js';
import { childElements } from './dom.js';
import { type SignatureModel, signatureXml } from './model.js';
import type { Placement } from './packaging.js';
import { parseText } from './parse.js';

/**
 * A part of the signature (SignedInfo, SignatureValue, …) parsed on its own under the prefixes we
 * write. Exclusive C14N renders only the namespaces a part uses, all declared here, and inherits
 * no xml:* attributes (Exclusive XML C14N §3), so its bytes equal those of the part in place.
 */
export function partAlone(xml: string): Element {
  const wrapper = `<ds:Signature xmlns:ds="${NS.ds}" xmlns:xades="${NS.xades}" xmlns:xades141="${NS.xades141}">${xml}</ds:Signature>`;
  const part = childElements(parseText(wrapper).root)[0];
  if (!part) throw new ShomeiError('xml_invalid', { detail: 'empty signature part' });
  return part;
}

export function compose(placement: Placement, m: SignatureModel): { doc: Document; signature: Element } {
  const alone = parseText(signatureXml(m));
  if (!placement.host) return { doc: alone.doc, signature: alone.root };
  const { doc, root } = placement.host;
  for (const old of childElements(root, NS.ds, 'Signature')) if (old.getAttribute('Id') === m.id) root.removeChild(old);
  const signature = doc.importNode(alone.root, true);
  root.appendChild(signature);
  return { doc, signature };
}
