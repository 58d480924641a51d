/**
 * `signatures/signDoc` (csc-api-v2.md §5.2): the service builds CAdES, PAdES, XAdES or JAdES
 * signatures (formats/) for whole documents, or detached CAdES for `documentDigests`. Field checks
 * and errors follow §2's signDoc strings; the signing itself is signing/sign-doc.ts.
 */
import { Type as T } from 'typebox';
import { ShomeiError } from '../errors.js';
import type { HttpApp } from '../http/server.js';
import type { SignDocEntry, SignDocOutput } from '../signing/index.js';
import { decodeBase64, decodeHashes, encodeBase64 } from './base64.js';
import { bearerToken } from './bearer.js';
import type { CscDeps } from './deps.js';
import { AsyncAccepted, startAsync } from './routes-async.js';
import { sadOf } from './routes-signatures.js';
import { ErrorBody, SignDocRequest, SignDocResponse, type TSignDocRequest } from './schemas.js';
import { flattenSignDoc, SignDocRequest22, type TSignDocRequest22 } from './v22/index.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 413: ErrorBody, 429: ErrorBody };

type DocFields = NonNullable<TSignDocRequest['documents']>[number];

/** The fields every entry shares: algorithm and format (values checked by formats/documents.ts). */
function common(d: Omit<DocFields, 'document'>): Omit<SignDocEntry, 'document' | 'hashes'> {
  // signed_props would need each format's encoding of each attribute; refused rather than ignored.
  if (d.signed_props && d.signed_props.length > 0) throw new ShomeiError('invalid_parameter', { name: 'signed_props' });
  return {
    signAlgo: d.signAlgo,
    ...(d.signAlgoParams
      ? { signAlgoParams: decodeBase64(d.signAlgoParams, 'invalid_parameter', { name: 'signAlgoParams' }) }
      : {}),
    format: {
      signature_format: d.signature_format,
      conformance_level: d.conformance_level,
      signed_envelope_property: d.signed_envelope_property,
    },
  };
}

export function entriesOf(b: TSignDocRequest): SignDocEntry[] {
  if (b.documents !== undefined && b.documentDigests !== undefined) throw new ShomeiError('signdoc_both');
  const documents = (b.documents ?? []).map((d) => ({
    ...common(d),
    document: decodeBase64(d.document, 'invalid_parameter', { name: 'document' }),
  }));
  const digests = (b.documentDigests ?? []).map((d) => {
    if (d.hashes.length === 0) throw new ShomeiError('empty_hash_array');
    return {
      ...common(d),
      hashes: decodeHashes(d.hashes),
      ...(d.hashAlgorithmOID ? { hashAlgorithmOID: d.hashAlgorithmOID } : {}),
    };
  });
  const entries = [...documents, ...digests];
  if (entries.length === 0) throw new ShomeiError('signdoc_empty');
  return entries;
}

export function signDocRoutes(app: HttpApp, deps: CscDeps): void {
  app.post(
    '/signatures/signDoc',
    {
      bodyLimit: deps.signDocBodyLimit,
      schema: {
        tags: ['csc'],
        // CSC 2.2's regrouped input (v22/sign-doc.ts) only with the switch; otherwise stripped as unknown.
        body: deps.v22 ? SignDocRequest22 : SignDocRequest,
        response: { 200: T.Union([AsyncAccepted, SignDocResponse]), ...errors },
      },
    },
    async (req) => {
      const bearer = bearerToken(req);
      const principal = await deps.session.authenticate(bearer);
      const b = deps.v22 ? flattenSignDoc(req.body as TSignDocRequest22) : req.body;
      const sad = sadOf(principal, bearer, b.SAD);
      // signatureQualifier alone (the service picks the credential) is not offered: name the credential.
      if (!b.credentialID) throw new ShomeiError('missing_string', { name: 'credentialID' });
      const input = {
        credentialId: b.credentialID,
        ...(sad !== undefined ? { sad } : {}),
        entries: entriesOf(b),
        returnValidationInfo: b.returnValidationInfo ?? b.returnValidationInformation ?? false,
      };
      // §5.2 operationMode "A" as §5.1: the same call, answered with a responseID once accepted.
      if (b.operationMode === 'A') {
        return startAsync(deps, principal, 'signDoc', b, async (accepted) =>
          signDocBody(await deps.signing.signDoc(principal, input, { accepted })),
        );
      }
      return signDocBody(await deps.signing.signDoc(principal, input));
    },
  );
}

/** The domain's output in CSC field names (§5.2 Out). */
function signDocBody(out: SignDocOutput) {
  const b64 = (xs: readonly Buffer[]) => xs.map(encodeBase64);
  return {
    ...(out.documentWithSignature.length > 0 ? { DocumentWithSignature: b64(out.documentWithSignature) } : {}),
    ...(out.signatureObject.length > 0 ? { SignatureObject: b64(out.signatureObject) } : {}),
    ...(out.validationInfo
      ? {
          validationInfo: {
            ocsp: b64(out.validationInfo.ocsp),
            crl: b64(out.validationInfo.crl),
            certificates: b64(out.validationInfo.certificates),
          },
        }
      : {}),
  };
}
