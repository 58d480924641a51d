/**
 * `signatures/signDoc` (csc-api-v2.md §5.2, FMT-1): the service builds the AdES signature. Every
 * document is prepared first (a malformed PDF or XML is refused before the SAD is spent); the SAD is
 * then spent for the documents' digests — what the signer authorised — and the key signs each
 * prepared structure's digest, logged like signHash (LOG-3) with the document digest and format;
 * only then are time-stamps and validation data added and the results returned.
 */
import { isShomeiError, ShomeiError } from '../errors.js';
import { assertUsable, ownedCredential } from './credentials.js';
import type {
  DocumentFormatFields,
  PreparedDocument,
  Principal,
  ResolvedSignature,
  SigningPorts,
  ValidationInfo,
} from './ports.js';
import { logRefusal, type SignatureFacts, type SigningHooks, signAndLog } from './sign-hash.js';

/** One entry of `documents[]` (a whole document) or `documentDigests[]` (one signature per hash). */
export interface SignDocEntry {
  readonly document?: Buffer;
  readonly hashes?: readonly Buffer[];
  readonly hashAlgorithmOID?: string;
  readonly signAlgo: string;
  readonly signAlgoParams?: Buffer;
  readonly format: DocumentFormatFields;
}

export interface SignDocInput {
  readonly credentialId: string;
  readonly sad?: string;
  readonly entries: readonly SignDocEntry[];
  readonly returnValidationInfo: boolean;
}

export interface SignDocOutput {
  readonly documentWithSignature: Buffer[];
  readonly signatureObject: Buffer[];
  readonly validationInfo?: ValidationInfo;
}

interface Job {
  readonly authorised: Buffer;
  readonly prepared: PreparedDocument;
  readonly format: DocumentFormatFields;
}

export async function signaturesSignDoc<R extends ResolvedSignature>(
  ports: SigningPorts<R>,
  principal: Principal,
  input: SignDocInput,
  hooks: SigningHooks = {},
): Promise<SignDocOutput> {
  const first = input.entries[0];
  const facts: SignatureFacts = {
    actor: principal.userId,
    credentialID: input.credentialId,
    clientId: principal.clientId,
    sessionId: principal.sessionId,
    signAlgo: first?.signAlgo ?? '',
  };
  let refusalsLoggedBySadService = false;
  try {
    if (!first) throw new ShomeiError('signdoc_empty');
    const view = await ownedCredential(ports, principal, input.credentialId);
    assertUsable(view);
    const certificate = await ports.keys.certificate(view.credential.keyId);
    if (!certificate) throw new ShomeiError('certificate_not_valid');
    const resolve = (e: SignDocEntry) =>
      ports.keys.resolve(view.key.keyType, {
        signAlgo: e.signAlgo,
        ...(e.hashAlgorithmOID ? { hashAlgorithmOID: e.hashAlgorithmOID } : {}),
        ...(e.signAlgoParams ? { signAlgoParams: e.signAlgoParams } : {}),
      });
    // One SAD binds one hash algorithm; so does one signDoc call.
    const resolved = resolve(first);
    if (input.entries.some((e) => resolve(e).hash.oid !== resolved.hash.oid || e.signAlgo !== first.signAlgo)) {
      throw new ShomeiError('invalid_parameter', { name: 'signAlgo' });
    }
    const signingTime = new Date(ports.clock.now());
    const signer = {
      chain: certificate.chain,
      hashOid: resolved.hash.oid,
      signAlgo: first.signAlgo,
      ...(first.signAlgoParams ? { signAlgoParams: first.signAlgoParams } : {}),
      signingTime,
    };
    const jobs: Job[] = [];
    for (const e of input.entries) {
      if (e.document) {
        const prepared = await ports.documents.prepare({ document: e.document }, signer, e.format);
        jobs.push({ authorised: ports.documents.digest(e.document, resolved.hash.oid), prepared, format: e.format });
      }
      for (const digest of e.hashes ?? []) {
        if (digest.length !== resolved.hash.length) throw new ShomeiError('invalid_digest_length');
        const prepared = await ports.documents.prepare({ digest }, signer, e.format);
        jobs.push({ authorised: digest, prepared, format: e.format });
      }
    }
    if (!input.sad) throw new ShomeiError('missing_string', { name: 'SAD' });
    refusalsLoggedBySadService = true;
    const { sadId } = await ports.sads
      .spend({
        sad: input.sad,
        principal,
        credentialId: input.credentialId,
        hashes: jobs.map((j) => j.authorised),
        hashAlgorithmOID: resolved.hash.oid,
      })
      .catch((e: unknown) => {
        // §2: signDoc's own wording for documents the SAD does not cover (the SAD service logged it).
        throw isShomeiError(e) && e.code === 'hash_not_authorized' ? new ShomeiError('signdoc_not_authorized') : e;
      });
    hooks.accepted?.();
    const values = await signAndLog(
      ports,
      view,
      facts,
      resolved,
      jobs.map((j) => j.prepared.digest),
      sadId,
      (i) => {
        const j = jobs[i] as Job;
        return {
          documentHash: j.authorised.toString('base64'),
          signatureFormat: j.format.signature_format,
          conformanceLevel: j.format.conformance_level ?? 'Ades-B-B',
        };
      },
    );
    const results = await Promise.all(jobs.map((j, i) => j.prepared.finish(values[i] as Buffer)));
    return {
      documentWithSignature: results.filter((_, i) => !jobs[i]?.prepared.detached),
      signatureObject: results.filter((_, i) => jobs[i]?.prepared.detached),
      ...(input.returnValidationInfo
        ? { validationInfo: await ports.documents.validationInfo(certificate.chain) }
        : {}),
    };
  } catch (e) {
    await logRefusal(ports, facts, e, refusalsLoggedBySadService);
    throw e;
  }
}
