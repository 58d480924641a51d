/**
 * Extending a signed PDF (ETSI EN 319 142-1 §5.4, §5.5): B-LT adds a DSS revision with the
 * validation data of every signature and its time-stamps; B-LTA adds a document time-stamp
 * revision (/SubFilter /ETSI.RFC3161) over the whole file, DSS included. Each step is its own
 * incremental update, so nothing signed before changes.
 */
import { createHash } from 'node:crypto';
import type { HashName } from '../../keys/index.js';
import { stampDigest } from '../cms/index.js';
import { revocationFor, timestampsFor } from '../levels.js';
import { collectValidationData } from '../ltv/index.js';
import type { FormatServices } from '../ports.js';
import { signatureFields } from './catalog.js';
import { chainsOf, trimDer } from './cms-chains.js';
import { openPdf, type PdfDocument } from './document.js';
import { appendDss, existingDss, storedIn, type VriEntry, vriKey } from './dss.js';
import { dict, isDict, name, PdfString } from './objects.js';
import { appendSignatureSlot, digestByteRange, embedContents } from './slot.js';

/** Room for a time-stamp token: TSTInfo, the TSA's certificates and signature, with margin. */
export const TIMESTAMP_ROOM = 16_384;

export interface DssOptions {
  /**
   * Only the newest signature (the one just made), so that a signer's B-LT does not depend on
   * reaching the revocation services of every earlier signer.
   */
  readonly onlyLatest?: boolean;
  /** Skip signatures whose certificates are all in the DSS already (EN 319 142-1 §5.5: "if needed"). */
  readonly onlyMissing?: boolean;
}

/** The /Contents of every signature and document time-stamp in the file, in field order. */
function signatureContents(doc: PdfDocument): Uint8Array[] {
  return signatureFields(doc).flatMap((f) => {
    const v = doc.resolve(f.get('V'));
    const c = isDict(v) ? v.get('Contents') : undefined;
    return c instanceof PdfString ? [c.bytes] : [];
  });
}

/** B-LT: a DSS revision with the validation data of the file's signatures (signers' and TSAs' chains). */
export async function addDss(pdf: Uint8Array, services: FormatServices, opts: DssOptions = {}): Promise<Uint8Array> {
  const source = revocationFor('B-LT', services);
  const doc = openPdf(pdf);
  const dss = existingDss(doc);
  const known = storedIn(doc, dss, 'Certs');
  const vri = doc.resolve(dss.get('VRI'));
  const entries: VriEntry[] = [];
  const all = signatureContents(doc);
  for (const contents of opts.onlyLatest ? all.slice(-1) : all) {
    const chains = chainsOf(trimDer(contents));
    if (opts.onlyMissing) {
      const stored = chains.flat().every((c) => known.has(createHash('sha256').update(c).digest('hex')));
      if (stored || (isDict(vri) && vri.has(vriKey(contents)))) continue;
    }
    const data = await collectValidationData(source, chains);
    entries.push({ contents, data: { ...data, certificates: [...chains.flat(), ...data.certificates] } });
  }
  if (entries.length === 0) return pdf;
  return appendDss(doc, entries);
}

/** B-LTA: a document time-stamp (§5.5) over the whole file as it is now. */
export async function addDocumentTimestamp(
  pdf: Uint8Array,
  services: FormatServices,
  opts: { hash?: HashName; fieldName?: string } = {},
): Promise<Uint8Array> {
  const tsa = timestampsFor('B-LTA', services);
  const hash = opts.hash ?? 'SHA-256';
  const slot = appendSignatureSlot(openPdf(pdf), {
    sig: dict({ Type: name('DocTimeStamp'), Filter: name('Adobe.PPKLite'), SubFilter: name('ETSI.RFC3161') }),
    room: TIMESTAMP_ROOM,
    ...(opts.fieldName !== undefined ? { fieldName: opts.fieldName } : {}),
  });
  // A token over other data would make a document time-stamp that proves nothing: checked first.
  const token = await stampDigest(tsa, digestByteRange(slot, hash), hash);
  return embedContents(slot, token);
}
