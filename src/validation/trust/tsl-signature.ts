/**
 * The trusted list's own signature (TS 119 612 §5.7, Annex B): an enveloped XAdES signature,
 * child of TrustServiceStatusList, whose data Reference is `URI=""` (the whole list), made with a
 * certificate the operator configured for this list. The XML-DSig work — canonicalisation, the
 * enveloped-signature transform, reference digests, SignedProperties and SignatureValue — is
 * src/formats/xades's `verifyXades`; this file adds only what makes it a *trusted list* signature.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Element, Node } from '@xmldom/xmldom';
import { isShomeiError, ShomeiError } from '../../errors.js';
import { type ParsedXml, verifyXades } from '../../formats/xades/index.js';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';

const refused = (source: string, detail: string): ShomeiError =>
  new ShomeiError('trust_list_signature_invalid', { source, detail });

function dsChildren(el: Element, local: string): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    const e = n as Element;
    if (n.nodeType === n.ELEMENT_NODE && e.namespaceURI === DS && e.localName === local) out.push(e);
  }
  return out;
}

/** The signature must sit directly under the root and cover the whole list (no partial signing). */
function checkPlacement({ root }: ParsedXml, source: string): void {
  const signatures = dsChildren(root, 'Signature');
  if (signatures.length !== 1)
    throw refused(source, `expected one ds:Signature under the root, found ${signatures.length}`);
  const signedInfo = dsChildren(signatures[0] as Element, 'SignedInfo')[0];
  const refs = signedInfo ? dsChildren(signedInfo, 'Reference') : [];
  const data = refs.filter((r) => r.getAttribute('Type') !== SIGNED_PROPERTIES_TYPE);
  if (data.length !== 1 || data[0]?.getAttribute('URI') !== '') {
    throw refused(source, 'the signature does not reference the whole list (URI="")');
  }
}

const sameDer = (a: Uint8Array, b: Uint8Array) => a.length === b.length && timingSafeEqual(a, b);

/**
 * Throws trust_list_signature_invalid unless `bytes` carry a valid enveloped signature over the
 * whole list by one of `signers` (DER). Returns the signing certificate.
 */
export function checkTrustListSignature(
  bytes: Uint8Array,
  parsed: ParsedXml,
  signers: readonly Uint8Array[],
  source: string,
): Buffer {
  checkPlacement(parsed, source);
  let signer: Buffer;
  try {
    signer = verifyXades(bytes, { maxBytes: bytes.length }).signerCertificate;
  } catch (e) {
    if (isShomeiError(e)) throw refused(source, e.params.detail ?? e.message);
    throw e;
  }
  if (!signers.some((s) => sameDer(s, signer))) {
    throw refused(source, 'signed by a certificate that is not a configured signer of this list');
  }
  return signer;
}
