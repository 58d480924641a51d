/**
 * The Document Security Store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3): certificates,
 * OCSP responses and CRLs as streams, listed in /Certs, /OCSPs, /CRLs and per signature in /VRI,
 * keyed by the upper-case hex SHA-1 of the signature's /Contents string (the whole string, its
 * padding included, as iText and Adobe compute it). An existing DSS is carried over and extended;
 * data it holds already is referenced, not stored twice.
 */
import { createHash } from 'node:crypto';
import type { ValidationData } from '../ports.js';
import { catalogOf } from './catalog.js';
import type { PdfDocument } from './document.js';
import { dict, isDict, isRef, name, type PdfDict, type PdfRef, type PdfValue } from './objects.js';
import { appendRevision, type NewObject, numberer, objectBytes } from './writer.js';

export interface VriEntry {
  /** The signature's /Contents string bytes. */
  readonly contents: Uint8Array;
  readonly data: ValidationData;
}

const MAX_EXISTING = 10_000;
const KINDS = [
  ['Certs', 'Cert', 'certificates'],
  ['OCSPs', 'OCSP', 'ocspResponses'],
  ['CRLs', 'CRL', 'crls'],
] as const;

export const vriKey = (contents: Uint8Array): string => createHash('sha1').update(contents).digest('hex').toUpperCase();
const id = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

/** The existing DSS, or an empty one. */
export function existingDss(doc: PdfDocument): PdfDict {
  const d = doc.resolve(catalogOf(doc).value.get('DSS'));
  return isDict(d) ? d : new Map();
}

/** The data already stored under one DSS array, by content hash. */
export function storedIn(doc: PdfDocument, dss: PdfDict, key: string): Map<string, PdfRef> {
  const out = new Map<string, PdfRef>();
  const list = doc.resolve(dss.get(key));
  if (!Array.isArray(list)) return out;
  for (const r of list.slice(0, MAX_EXISTING)) {
    if (!isRef(r)) continue;
    try {
      out.set(id(doc.stream(r).data), r);
    } catch {
      // an unreadable entry stays listed as it was; it just cannot be reused
    }
  }
  return out;
}

/** Appends a revision whose catalogue points at the extended DSS. */
export function appendDss(doc: PdfDocument, entries: readonly VriEntry[]): Buffer {
  const fresh = numberer(doc);
  const old = existingDss(doc);
  const objects: NewObject[] = [];
  const dss: PdfDict = dict({ Type: name('DSS') });
  const vri: PdfDict = new Map(isDict(doc.resolve(old.get('VRI'))) ? (doc.resolve(old.get('VRI')) as PdfDict) : []);
  const perKind = KINDS.map(([key, , field]) => {
    const stored = storedIn(doc, old, key);
    const list = doc.resolve(old.get(key));
    const refs: PdfValue[] = Array.isArray(list) ? [...list] : [];
    const refOf = (der: Uint8Array): PdfRef => {
      const k = id(der);
      let r = stored.get(k);
      if (!r) {
        r = fresh();
        stored.set(k, r);
        refs.push(r);
        objects.push(objectBytes(r, new Map(), der));
      }
      return r;
    };
    return { key, field, refs, refOf };
  });
  for (const e of entries) {
    const v: PdfDict = new Map();
    KINDS.forEach(([, vriName], i) => {
      const k = perKind[i] as (typeof perKind)[number];
      const refs = [...new Set(e.data[k.field].map(k.refOf))];
      if (refs.length > 0) v.set(vriName, refs);
    });
    vri.set(vriKey(e.contents), v);
  }
  for (const k of perKind) if (k.refs.length > 0) dss.set(k.key, k.refs);
  if (vri.size > 0) dss.set('VRI', vri);
  const dssRef = fresh();
  objects.push(objectBytes(dssRef, dss));
  const catalog = catalogOf(doc);
  objects.push(objectBytes(catalog.ref, new Map([...catalog.value, ['DSS', dssRef]])));
  return appendRevision(doc, objects);
}
