/**
 * PAdES baseline signing (ETSI EN 319 142-1) in the two steps of ports.ts: the signature revision
 * with its placeholder is written first and its byte ranges hashed into a CAdES detached CMS
 * without signing-time (the time is /M, §5.2.2); `finish` embeds the CMS, then adds what the
 * level needs: a signature time-stamp (B-T), a DSS (B-LT), a document time-stamp (B-LTA).
 */
import { createHash } from 'node:crypto';
import { HASHES } from '../../keys/index.js';
import { addUnsignedAttribute, CMS_OID, prepareCms, signatureValueOf, stampDigest } from '../cms/index.js';
import { atLeast, checkServices, timestampsFor } from '../levels.js';
import type { AdesLevel, FormatServices, PreparedSignature, SignerIdentity } from '../ports.js';
import { openPdf } from './document.js';
import { addDocumentTimestamp, addDss, TIMESTAMP_ROOM } from './extend.js';
import { dict, name, pdfDate, str, textString } from './objects.js';
import { appendSignatureSlot, digestByteRange, embedContents } from './slot.js';

export interface PadesOptions {
  readonly level: AdesLevel;
  /** /Reason, /Location, /Name of the signature dictionary (§12.8.1, Table 252). */
  readonly reason?: string;
  readonly location?: string;
  readonly name?: string;
  /** The field's /T; `Signature<n>` when absent, made unique if taken. */
  readonly fieldName?: string;
}

/** Signed attributes, SignerInfo fields and the signature value (RSA-4096 at most), with margin. */
const CMS_OVERHEAD = 4096;

/** The bytes /Contents reserves: the chain, the CMS around it, a time-stamp from B-T. */
export function signatureRoom(signer: SignerIdentity, level: AdesLevel): number {
  const chain = signer.chain.reduce((n, c) => n + c.length, 0);
  return chain + CMS_OVERHEAD + (atLeast(level, 'B-T') ? TIMESTAMP_ROOM : 0);
}

export async function preparePades(
  pdf: Uint8Array,
  signer: SignerIdentity,
  opts: PadesOptions,
  services: FormatServices,
): Promise<PreparedSignature> {
  checkServices(opts.level, services);
  const sig = dict({
    Type: name('Sig'),
    Filter: name('Adobe.PPKLite'),
    SubFilter: name('ETSI.CAdES.detached'),
    M: str(pdfDate(signer.signingTime)),
    Name: opts.name === undefined ? undefined : textString(opts.name),
    Reason: opts.reason === undefined ? undefined : textString(opts.reason),
    Location: opts.location === undefined ? undefined : textString(opts.location),
  });
  const slot = appendSignatureSlot(openPdf(pdf), {
    sig,
    room: signatureRoom(signer, opts.level),
    ...(opts.fieldName !== undefined ? { fieldName: opts.fieldName } : {}),
  });
  const cms = prepareCms({
    signer,
    contentType: CMS_OID.data,
    contentDigest: digestByteRange(slot, signer.hash),
    signingTimeAttribute: false,
  });
  let finished = false;

  return {
    digest: cms.digest,
    async finish(signatureValue) {
      // The placeholder is filled in place; a second finish works on a copy so the first result stays.
      const target = finished ? { ...slot, out: Buffer.from(slot.out) } : slot;
      finished = true;
      let ci = cms.assemble(signatureValue);
      if (atLeast(opts.level, 'B-T')) {
        const tsa = timestampsFor(opts.level, services);
        const digest = createHash(HASHES[signer.hash].node).update(signatureValueOf(ci)).digest();
        const token = await stampDigest(tsa, digest, signer.hash);
        ci = addUnsignedAttribute(ci, CMS_OID.signatureTimeStampToken, [token]);
      }
      let out: Uint8Array = embedContents(target, ci);
      if (atLeast(opts.level, 'B-LT')) out = await addDss(out, services, { onlyLatest: true });
      if (atLeast(opts.level, 'B-LTA')) {
        out = await addDocumentTimestamp(out, services, { hash: signer.hash });
        out = await addDss(out, services, { onlyLatest: true, onlyMissing: true });
      }
      return out;
    },
  };
}
