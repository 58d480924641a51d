/**
 * The input of xades141:ArchiveTimeStamp, EN 319 132-1 §5.5.2.2 (no ds:Manifest), computed the
 * same way when we add the time-stamp and when we check it:
 *   1. the octets of each ds:Reference after its transforms, in SignedInfo order;
 *   2. canonical ds:SignedInfo, ds:SignatureValue and ds:KeyInfo;
 *   3. each child of xades:UnsignedSignatureProperties that precedes the archive time-stamp,
 *      canonicalised, in order;
 *   4. each ds:Object not referenced by a ds:Reference, other than the one holding
 *      QualifyingProperties, canonicalised.
 * Canonicalisation (steps 2–4) is the archive time-stamp's ds:CanonicalizationMethod: exclusive C14N.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { NS } from './algorithms.js';
import { canonicalElement } from './c14n.js';
import { child, childElements, optionalChild } from './dom.js';
import { type DetachedResolver, referenceOctets } from './references.js';

/** UnsignedSignatureProperties of a signature, if it has any. */
export function unsignedSignatureProperties(signature: Element): Element | undefined {
  for (const obj of childElements(signature, NS.ds, 'Object')) {
    const qp = optionalChild(obj, NS.xades, 'QualifyingProperties');
    const up = qp && optionalChild(qp, NS.xades, 'UnsignedProperties');
    if (up) return optionalChild(up, NS.xades, 'UnsignedSignatureProperties');
  }
  return undefined;
}

/** `before`: the archive time-stamp being checked; absent when computing a new, last one. */
export function archiveTimeStampInput(
  doc: Document,
  signature: Element,
  detached: DetachedResolver,
  before?: Element,
): Buffer {
  const parts: Buffer[] = [];
  const signedInfo = child(signature, NS.ds, 'SignedInfo');
  const refs = childElements(signedInfo, NS.ds, 'Reference');
  for (const ref of refs) parts.push(referenceOctets(doc, signature, ref, detached));
  parts.push(canonicalElement(signedInfo), canonicalElement(child(signature, NS.ds, 'SignatureValue')));
  const keyInfo = optionalChild(signature, NS.ds, 'KeyInfo');
  if (keyInfo) parts.push(canonicalElement(keyInfo));
  const usp = unsignedSignatureProperties(signature);
  for (const p of usp ? childElements(usp) : []) {
    if (p === before) break;
    parts.push(canonicalElement(p));
  }
  const referenced = new Set(refs.map((r) => r.getAttribute('URI') ?? ''));
  for (const obj of childElements(signature, NS.ds, 'Object')) {
    if (optionalChild(obj, NS.xades, 'QualifyingProperties')) continue;
    if (referenced.has(`#${obj.getAttribute('Id') ?? ''}`)) continue;
    parts.push(canonicalElement(obj));
  }
  return Buffer.concat(parts);
}
