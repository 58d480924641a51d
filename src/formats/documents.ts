/**
 * The one table from CSC `signatures/signDoc` fields (csc-api-v2.md §5.2) to a signature format:
 * `signature_format` C/X/P/J, `conformance_level` (EN 319 1x2 baselines, older names and casing
 * accepted), `signed_envelope_property`. Server-side signDoc and client-side `shomei sign` both go
 * through it, so the same fields give the same structure either way.
 */
import { ShomeiError } from '../errors.js';
import { prepareCades, prepareCadesDigest } from './cades/index.js';
import { prepareJades } from './jades/index.js';
import { preparePades } from './pades/index.js';
import type { AdesLevel, FormatServices, PreparedSignature, SignerIdentity } from './ports.js';
import { prepareXades } from './xades/index.js';

export type SignatureFormat = 'C' | 'X' | 'P' | 'J';

/** Per format, the envelope properties offered; the first is the default (§5.2). */
export const ENVELOPES: Readonly<Record<SignatureFormat, readonly string[]>> = {
  C: ['Attached', 'Detached'],
  X: ['Enveloped', 'Enveloping', 'Detached'],
  // Approval signatures; a certification signature (DocMDP) is not offered.
  P: ['Revision'],
  J: ['Attached', 'Detached'],
};

export const FORMATS = Object.keys(ENVELOPES) as SignatureFormat[];

/** `conformance_levels` as `info` lists them. */
export const CONFORMANCE_LEVELS = ['Ades-B-B', 'Ades-B-T', 'Ades-B-LT', 'Ades-B-LTA'] as const;

const LEVELS: Readonly<Record<string, AdesLevel>> = {
  'ades-b-b': 'B-B',
  'ades-b': 'B-B',
  'ades-b-t': 'B-T',
  'ades-t': 'B-T',
  'ades-b-lt': 'B-LT',
  'ades-lt': 'B-LT',
  'ades-b-lta': 'B-LTA',
  'ades-lta': 'B-LTA',
};

export interface DocumentFormat {
  readonly format: SignatureFormat;
  readonly level: AdesLevel;
  readonly envelope: string;
}

/** The checked form of a request's fields; catalogue errors name the field (§5.2). */
export function documentFormat(fields: {
  readonly signature_format: string;
  readonly conformance_level?: string | undefined;
  readonly signed_envelope_property?: string | undefined;
}): DocumentFormat {
  const format = fields.signature_format as SignatureFormat;
  if (!Object.hasOwn(ENVELOPES, format)) throw new ShomeiError('invalid_parameter', { name: 'signature_format' });
  const level = LEVELS[(fields.conformance_level ?? 'Ades-B-B').toLowerCase()];
  if (!level) throw new ShomeiError('invalid_parameter', { name: 'conformance_level' });
  const offered = ENVELOPES[format];
  const envelope = fields.signed_envelope_property ?? (offered[0] as string);
  if (!offered.includes(envelope)) throw new ShomeiError('invalid_parameter', { name: 'signed_envelope_property' });
  return { format, level, envelope };
}

/** Whether the result goes back as `DocumentWithSignature` (the signed document) or `SignatureObject`. */
export const isDetached = (f: DocumentFormat): boolean => f.envelope === 'Detached';

/** A signature over a whole document, in the requested format. */
export function prepareDocument(
  document: Uint8Array,
  signer: SignerIdentity,
  f: DocumentFormat,
  services: FormatServices,
): Promise<PreparedSignature> {
  switch (f.format) {
    case 'C':
      return prepareCades(
        document,
        signer,
        { level: f.level, packaging: isDetached(f) ? 'detached' : 'attached' },
        services,
      );
    case 'P':
      return preparePades(document, signer, { level: f.level }, services);
    case 'X':
      return prepareXades(
        isDetached(f) ? { bytes: document } : document,
        signer,
        { level: f.level, packaging: f.envelope.toLowerCase() as 'enveloped' | 'enveloping' | 'detached' },
        services,
      );
    case 'J':
      // Unprotected headers (B-T and up) need the JSON serialisation (TS 119 182-1 §5.3).
      return prepareJades(
        document,
        signer,
        { level: f.level, serialization: f.level === 'B-B' ? 'compact' : 'json', detached: isDetached(f) },
        services,
      );
  }
}

/**
 * A signature over a digest the client computed (`documentDigests`): a detached CAdES signature,
 * the only format whose signed structure needs nothing of the document but its digest.
 */
export function prepareDigest(
  digest: Uint8Array,
  signer: SignerIdentity,
  f: DocumentFormat,
  services: FormatServices,
): Promise<PreparedSignature> {
  if (f.format !== 'C') throw new ShomeiError('invalid_parameter', { name: 'signature_format' });
  if (!isDetached(f)) throw new ShomeiError('invalid_parameter', { name: 'signed_envelope_property' });
  return prepareCadesDigest(digest, signer, { level: f.level }, services);
}
