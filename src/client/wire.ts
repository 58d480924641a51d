/**
 * One client, two wire mappings (csc-api-v2.md §7): the typed requests of CscClient become v2 or
 * v1 (1.0.4.0) bodies here, and the answers are read back into the same types. The client's method
 * bodies (v2.ts) are written once; only these field names and shapes differ per version.
 */
import { readCredentialInfo, readInfo } from './parse.js';
import { b64, type Reader } from './read.js';
import type { Json } from './transport.js';
import type {
  AuthDataEntry,
  AuthorizeRequest,
  CredentialInfo,
  CredentialInfoOptions,
  CscInfo,
  SignHashRequest,
} from './types.js';

export type CscVersion = 'v1' | 'v2';

/** One page of credentials/list. */
export interface ListPage {
  readonly ids: string[];
  readonly next?: string;
}

export interface WireMapping {
  readonly version: CscVersion;
  readonly apiPath: string;
  readInfo(r: Reader): CscInfo;
  listBody(o: { readonly onlyValid?: boolean; readonly pageToken?: string }): Json;
  readList(r: Reader): ListPage;
  infoBody(credentialID: string, o: CredentialInfoOptions): Json;
  readCredentialInfo(r: Reader): CredentialInfo;
  authorizeBody(req: AuthorizeRequest, authData: readonly AuthDataEntry[]): Json;
  signHashBody(req: SignHashRequest): Json;
  /** The method that sends an out-of-band OTP (v2 getChallenge, v1 sendOTP) and its body. */
  challenge(credentialID: string, authObjectID: string): { readonly method: string; readonly body: Json };
  /** v2 only: signDoc, operationMode A and signPolling (§5.2, §5.3 have no v1 counterpart). */
  readonly hasV2Only: boolean;
}

export const v2Wire: WireMapping = {
  version: 'v2',
  apiPath: '/csc/v2',
  readInfo,
  listBody: (o) => (o.onlyValid ? { onlyValid: true } : {}),
  readList: (r) => ({ ids: r.strs('credentialIDs') }),
  infoBody: (credentialID, o) => ({ credentialID, ...o }),
  readCredentialInfo,
  authorizeBody: (req, authData) => ({
    credentialID: req.credentialID,
    numSignatures: req.numSignatures ?? req.hashes.length,
    hashes: req.hashes.map(b64),
    hashAlgorithmOID: req.hashAlgorithmOID,
    authData,
    ...(req.description ? { description: req.description } : {}),
  }),
  signHashBody: (req) => ({
    credentialID: req.credentialID,
    ...(req.sad ? { SAD: req.sad } : {}),
    hashes: req.hashes.map(b64),
    signAlgo: req.signAlgo,
    ...(req.hashAlgorithmOID ? { hashAlgorithmOID: req.hashAlgorithmOID } : {}),
    ...(req.signAlgoParams ? { signAlgoParams: b64(req.signAlgoParams) } : {}),
  }),
  challenge: (credentialID, authObjectID) => ({
    method: 'credentials/getChallenge',
    body: { credentialID, authObjectID },
  }),
  hasV2Only: true,
};
