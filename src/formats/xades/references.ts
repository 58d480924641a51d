/**
 * Dereferencing a ds:Reference into the octets its digest covers (XML-DSig §4.4.3), the one code
 * path for signing, for our verification, and for the archive time-stamp input (EN 319 132-1
 * §5.5.2.2 step 1 takes exactly these octets). Only the shapes this module writes are accepted:
 * `URI=""` with enveloped-signature + exclusive C14N, `#id` with exclusive C14N, and an external
 * URI with no transform (its bytes come from the caller, never fetched).
 */
import type { Document, Element } from '@xmldom/xmldom';
import { ShomeiError } from '../../errors.js';
import { ENVELOPED, EXC_C14N, NS } from './algorithms.js';
import { canonicalDocument, canonicalElement } from './c14n.js';
import { childElements, elementById, optionalChild, xmlEscape } from './dom.js';

/** Bytes of a detached (external) reference, by URI; undefined when the caller does not have them. */
export type DetachedResolver = (uri: string) => Uint8Array | undefined;

const refused = (detail: string): ShomeiError => new ShomeiError('xades_signature_invalid', { detail });

export function transformsOf(ref: Element): string[] {
  const t = optionalChild(ref, NS.ds, 'Transforms');
  return t ? childElements(t, NS.ds, 'Transform').map((x) => x.getAttribute('Algorithm') ?? '') : [];
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The document without `signature` (the enveloped-signature transform), canonicalised. */
function envelopedOctets(doc: Document, signature: Element): Buffer {
  const parent = signature.parentNode;
  if (!parent) throw refused('the enveloped signature has no parent');
  const next = signature.nextSibling;
  parent.removeChild(signature);
  try {
    return canonicalDocument(doc);
  } finally {
    parent.insertBefore(signature, next);
  }
}

export function referenceOctets(
  doc: Document,
  signature: Element,
  ref: Element,
  detached: DetachedResolver = () => undefined,
): Buffer {
  const uri = ref.getAttribute('URI');
  const transforms = transformsOf(ref);
  if (uri === null) throw refused('a Reference without URI');
  if (uri === '') {
    if (!same(transforms, [ENVELOPED, EXC_C14N])) throw refused('unsupported transforms for URI=""');
    return envelopedOctets(doc, signature);
  }
  if (uri.startsWith('#')) {
    if (!same(transforms, [EXC_C14N])) throw refused(`unsupported transforms for ${uri}`);
    return canonicalElement(elementById(doc, uri.slice(1)));
  }
  if (transforms.length > 0) throw refused(`unsupported transforms for ${uri}`);
  const bytes = detached(uri);
  if (!bytes) throw refused(`the detached document ${uri} was not given`);
  return Buffer.from(bytes);
}

/** The ds:Reference element XML (digest value filled in, or empty while still unknown). */
export function referenceXml(r: {
  readonly id?: string;
  readonly type?: string;
  readonly uri: string;
  readonly transforms: readonly string[];
  readonly digestUri: string;
  readonly digest?: Buffer;
}): string {
  const attrs = `${r.id ? ` Id="${r.id}"` : ''}${r.type ? ` Type="${r.type}"` : ''} URI="${xmlEscape(r.uri)}"`;
  const transforms = r.transforms.length
    ? `<ds:Transforms>${r.transforms.map((t) => `<ds:Transform Algorithm="${t}"/>`).join('')}</ds:Transforms>`
    : '';
  const digest = r.digest?.toString('base64') ?? '';
  return `<ds:Reference${attrs}>${transforms}<ds:DigestMethod Algorithm="${r.digestUri}"/><ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
}
