/**
 * Client-side signing, as a signature application does it: only a digest leaves the machine. The
 * document is prepared here with the formats table (the same code server-side signDoc runs), its
 * digest authorised and signed through signHash, and the signature embedded here:
 *
 *   credentials/info (chain, key) → choose signAlgo → prepareDocument → credentials/authorize
 *   → signatures/signHash → finish (time-stamps, revocation data from `services`)
 */
import { Certificate } from 'pkijs';
import { type DocumentFormat, type FormatServices, prepareDocument } from '../formats/index.js';
import { formatDn, HASHES } from '../keys/index.js';
import { chooseSignAlgorithm } from './algorithms.js';
import { CscUsageError } from './errors.js';
import type { AuthDataEntry, CredentialInfo } from './types.js';
import type { CscClient } from './v2.js';

export interface LocalSignRequest {
  readonly credentialID: string;
  readonly document: Uint8Array;
  readonly format: DocumentFormat;
  readonly pin?: string;
  readonly otp?: string;
  /** The claimed signing time (usually now). */
  readonly signingTime: Date;
  /** A TSA from B-T, revocation data from B-LT. */
  readonly services: FormatServices;
}

export interface LocalSignResult {
  /** The signed document, or the detached signature. */
  readonly output: Uint8Array;
  /** The signer's certificate subject (RFC 4514, CN first), for display. */
  readonly subject: string;
  readonly signAlgo: string;
}

/**
 * Exactly the objects the credential's expression names (§4.2 auth): the PIN for `PIN`, the
 * one-time code for any other; a service refuses objects it did not ask for.
 */
function authDataFor(auth: CredentialInfo['auth'], req: LocalSignRequest): AuthDataEntry[] {
  if (auth.mode !== 'explicit')
    throw new CscUsageError(`the credential is authorised by ${auth.mode}, not by PIN/OTP (explicit mode)`);
  return auth.objects.map((o) => {
    const value = o.id === 'PIN' ? req.pin : req.otp;
    if (value === undefined) throw new CscUsageError(`the credential needs ${o.label ?? o.id}`);
    return { id: o.id, value };
  });
}

/** `client` must carry a service-scope token (withToken). */
export async function signDocumentLocally(client: CscClient, req: LocalSignRequest): Promise<LocalSignResult> {
  const info = await client.credentialsInfo(req.credentialID, { certificates: 'chain', authInfo: true });
  const [leaf] = info.cert.certificates;
  if (!leaf) throw new CscUsageError(`credential ${req.credentialID} has no certificate`);
  const { signAlgo, hash } = chooseSignAlgorithm(info.key);
  const signer = { chain: info.cert.certificates, hash, signAlgo, signingTime: req.signingTime };
  const prepared = await prepareDocument(req.document, signer, req.format, req.services);
  const { sad } = await client.authorize({
    credentialID: req.credentialID,
    hashes: [prepared.digest],
    hashAlgorithmOID: HASHES[hash].oid,
    authData: authDataFor(info.auth, req),
  });
  const [signature] = await client.signHash({
    credentialID: req.credentialID,
    sad,
    hashes: [prepared.digest],
    signAlgo,
  });
  const output = await prepared.finish(signature as Buffer);
  return { output, subject: formatDn(Certificate.fromBER(leaf).subject), signAlgo };
}
