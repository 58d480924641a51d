/**
 * CAdES baseline signatures (ETSI EN 319 122-1): B-B is CMS with content-type, message-digest,
 * signing-certificate-v2 and signing-time (§5.2, §6.2); higher levels are added in `finish`.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { HASHES } from '../../keys/index.js';
import { CMS_OID, prepareCms } from '../cms/index.js';
import { checkServices, timestampsFor } from '../levels.js';
import type { AdesLevel, FormatServices, PreparedSignature, SignerIdentity } from '../ports.js';
import { addArchiveTimestamp, addLongTermData, extendTo } from './levels.js';

export type CadesPackaging = 'attached' | 'detached';

export interface CadesOptions {
  readonly level: AdesLevel;
  readonly packaging: CadesPackaging;
  /** DER Attributes to sign as well (e.g. commitment-type-indication, EN 319 122-1 §5.2.3). */
  readonly extraSignedAttributes?: readonly Uint8Array[];
}

/** A CAdES signature of `content`, attached (encapsulated) or detached. */
export async function prepareCades(
  content: Uint8Array,
  signer: SignerIdentity,
  opts: CadesOptions,
  services: FormatServices,
): Promise<PreparedSignature> {
  const hash = HASHES[signer.hash];
  if (!hash) throw new ShomeiError('unsupported_algorithm', { detail: `hash ${signer.hash}` });
  const contentDigest = createHash(hash.node).update(content).digest();
  return prepare(signer, opts, services, contentDigest, opts.packaging === 'attached' ? content : undefined);
}

/**
 * A detached CAdES signature from the content's digest only (signer.hash), for large files hashed
 * where they are (the CLI): the content never travels.
 */
export function prepareCadesDigest(
  contentDigest: Uint8Array,
  signer: SignerIdentity,
  opts: Omit<CadesOptions, 'packaging'>,
  services: FormatServices,
): Promise<PreparedSignature> {
  return prepare(signer, opts, services, contentDigest, undefined);
}

async function prepare(
  signer: SignerIdentity,
  opts: Omit<CadesOptions, 'packaging'>,
  services: FormatServices,
  contentDigest: Uint8Array,
  content: Uint8Array | undefined,
): Promise<PreparedSignature> {
  checkServices(opts.level, services);
  const cms = prepareCms({
    signer,
    contentType: CMS_OID.data,
    ...(content ? { content } : {}),
    contentDigest,
    signingTimeAttribute: true,
    ...(opts.extraSignedAttributes ? { extraSignedAttributes: opts.extraSignedAttributes } : {}),
  });
  return {
    digest: cms.digest,
    finish: (signatureValue) => extendTo(cms.assemble(signatureValue), opts.level, services),
  };
}

/**
 * Re-time-stamps an existing B-LT or B-LTA signature (EN 319 122-1 §5.5.3): first the validation
 * data of the time-stamps it already has (when a revocation source is given), then a new
 * archive-time-stamp-v3 over everything.
 */
export async function addCadesArchiveTimestamp(existing: Uint8Array, services: FormatServices): Promise<Uint8Array> {
  const tsa = timestampsFor('B-LTA', services);
  const withData = services.revocation ? await addLongTermData(existing, services.revocation) : existing;
  return addArchiveTimestamp(withData, tsa);
}
