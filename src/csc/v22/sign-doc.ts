/**
 * CSC 2.2's regrouped `signatures/signDoc` input (csc-api-v2.md §0: "signDoc input regrouped into
 * `signatureCreationRequest`/`adesParameters`", details unconfirmed). Our reading, stated so it can
 * be corrected: `signatureCreationRequest` holds the `documents` / `documentDigests` lists, and each
 * entry carries its signature parameters (format, level, envelope, algorithm) in `adesParameters`.
 * It is flattened onto the 2.0 request, so the domain input and every check stay the 2.0 ones.
 */
import { type Static, Type as T } from 'typebox';
import { ShomeiError } from '../../errors.js';
import { MAX_DOCUMENTS, MAX_HASHES, SignDocRequest, type TSignDocRequest } from '../schemas.js';

const Str = (max: number) => T.String({ maxLength: max });
const Oid = T.String({ maxLength: 64, pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$' });

const AdesParameters = T.Object({
  signature_format: Str(8),
  conformance_level: T.Optional(Str(32)),
  signed_envelope_property: T.Optional(Str(32)),
  signAlgo: Oid,
  signAlgoParams: T.Optional(Str(1024)),
  signed_props: T.Optional(T.Array(T.Object({ attribute_name: Str(64), attribute_value: T.Optional(Str(4096)) }))),
});

const SignatureCreationRequest = T.Object({
  documentDigests: T.Optional(
    T.Array(
      T.Object({
        hashes: T.Array(Str(100), { maxItems: MAX_HASHES }),
        hashAlgorithmOID: T.Optional(Oid),
        adesParameters: AdesParameters,
      }),
      { maxItems: MAX_DOCUMENTS },
    ),
  ),
  documents: T.Optional(
    T.Array(T.Object({ document: T.String(), adesParameters: AdesParameters }), { maxItems: MAX_DOCUMENTS }),
  ),
});

/** The 2.0 body plus the 2.2 grouping; a request uses one shape or the other, never both. */
export const SignDocRequest22 = T.Object({
  ...SignDocRequest.properties,
  signatureCreationRequest: T.Optional(SignatureCreationRequest),
});
export type TSignDocRequest22 = Static<typeof SignDocRequest22>;

/** The 2.2 grouping as the 2.0 request (csc-api-v2.md §5.2). */
export function flattenSignDoc(b: TSignDocRequest22): TSignDocRequest {
  const { signatureCreationRequest: scr, ...rest } = b;
  if (scr === undefined) return rest;
  if (rest.documents !== undefined || rest.documentDigests !== undefined)
    throw new ShomeiError('invalid_parameter', { name: 'signatureCreationRequest' });
  return {
    ...rest,
    ...(scr.documents
      ? { documents: scr.documents.map(({ adesParameters, ...d }) => ({ ...d, ...adesParameters })) }
      : {}),
    ...(scr.documentDigests
      ? { documentDigests: scr.documentDigests.map(({ adesParameters, ...d }) => ({ ...d, ...adesParameters })) }
      : {}),
  };
}
