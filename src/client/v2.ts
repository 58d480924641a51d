/**
 * A typed client for CSC API v2 (csc-api-v2.md): one method per CSC method, Buffers in and out,
 * base64 only on the wire. `withToken` gives a client bound to an access token, so one login serves
 * any number of calls; the unauthenticated client can only call `info` and `login`.
 */
import { CscTransportError } from './errors.js';
import { readCredentialInfo, readInfo, readSignDoc } from './parse.js';
import { b64, Reader } from './read.js';
import { type CallOptions, createTransport, type Json, type Transport, type TransportOptions } from './transport.js';
import type {
  AuthorizeRequest,
  CredentialInfo,
  CredentialInfoOptions,
  CscInfo,
  LoginResult,
  SignatureActivationData,
  SignDocRequest,
  SignDocResult,
  SignHashRequest,
} from './types.js';

export interface CscClientOptions extends TransportOptions {
  /** Where the API lives under the base URL (default `/csc/v2`). */
  readonly apiPath?: string;
}

export interface CscClient {
  /** The service root. */
  readonly baseUrl: string;
  /** The CSC API root (`baseUrl` + `/csc/v2`). */
  readonly apiUrl: string;
  /** §3.1, unauthenticated. */
  info(lang?: string): Promise<CscInfo>;
  /** §3.2 with HTTP Basic: the service-scope access token. */
  login(o: {
    readonly username: string;
    readonly password: string;
    readonly rememberMe?: boolean;
  }): Promise<LoginResult>;
  /** A client that sends this bearer token (service or credential scope). */
  withToken(token: string): CscClient;
  /** §4.1: the caller's credential IDs. */
  credentialsList(o?: { readonly onlyValid?: boolean }): Promise<string[]>;
  /** §4.2. */
  credentialsInfo(credentialID: string, o?: CredentialInfoOptions): Promise<CredentialInfo>;
  /** §4.3 (explicit mode): the SAD for these hashes, with PIN and/or OTP. */
  authorize(req: AuthorizeRequest): Promise<SignatureActivationData>;
  /** §5.1 synchronous: one signature per hash, in order (ECDSA as DER, as this service returns it). */
  signHash(req: SignHashRequest): Promise<Buffer[]>;
  /** §5.2 synchronous, whole documents. */
  signDoc(req: SignDocRequest): Promise<SignDocResult>;
  /** §5.4: an RFC 3161 token (DER) over `hash`; `nonce` as hex. */
  timestamp(hash: Uint8Array, hashAlgo: string, nonce?: string): Promise<Buffer>;
}

/** Without a token the service answers 401 anyway; failing here says what is missing. */
function needToken(token: string | undefined, method: string): string {
  if (!token) throw new CscTransportError('no_token', `${method} needs an access token: call login() and withToken()`);
  return token;
}

function build(t: Transport, apiUrl: string, token: string | undefined): CscClient {
  const call = async (method: string, body: Json, opts: CallOptions = {}): Promise<Reader> =>
    new Reader(method, await t.post(`${apiUrl}/${method}`, method, body, opts));
  const authed = (method: string, body: Json) => call(method, body, { token: needToken(token, method) });

  return {
    baseUrl: t.baseUrl,
    apiUrl,
    async info(lang) {
      return readInfo(await call('info', lang ? { lang } : {}));
    },
    async login({ username, password, rememberMe }) {
      const authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
      const r = await call('auth/login', rememberMe ? { rememberMe: true } : {}, { authorization });
      const refreshToken = r.optStr('refresh_token');
      return {
        accessToken: r.str('access_token'),
        ...(refreshToken ? { refreshToken } : {}),
        expiresIn: r.optNum('expires_in') ?? 3600,
      };
    },
    withToken: (next) => build(t, apiUrl, next),
    async credentialsList(o = {}) {
      return (await authed('credentials/list', o.onlyValid ? { onlyValid: true } : {})).strs('credentialIDs');
    },
    async credentialsInfo(credentialID, o = {}) {
      const r = await authed('credentials/info', { credentialID, ...o });
      return readCredentialInfo(r);
    },
    async authorize(req) {
      const authData = [
        ...(req.pin !== undefined ? [{ id: 'PIN', value: req.pin }] : []),
        ...(req.otp !== undefined ? [{ id: 'OTP', value: req.otp }] : []),
        ...(req.authData ?? []),
      ];
      const r = await authed('credentials/authorize', {
        credentialID: req.credentialID,
        numSignatures: req.numSignatures ?? req.hashes.length,
        hashes: req.hashes.map(b64),
        hashAlgorithmOID: req.hashAlgorithmOID,
        authData,
        ...(req.description ? { description: req.description } : {}),
      });
      return { sad: r.str('SAD'), expiresIn: r.optNum('expiresIn') };
    },
    async signHash(req) {
      const r = await authed('signatures/signHash', {
        credentialID: req.credentialID,
        ...(req.sad ? { SAD: req.sad } : {}),
        hashes: req.hashes.map(b64),
        signAlgo: req.signAlgo,
        ...(req.hashAlgorithmOID ? { hashAlgorithmOID: req.hashAlgorithmOID } : {}),
        ...(req.signAlgoParams ? { signAlgoParams: b64(req.signAlgoParams) } : {}),
      });
      const signatures = r.binaries('signatures');
      if (signatures.length !== req.hashes.length)
        throw new CscTransportError('bad_response', 'signatures/signHash: not one signature per hash');
      return signatures;
    },
    async signDoc(req) {
      const r = await authed('signatures/signDoc', {
        credentialID: req.credentialID,
        ...(req.sad ? { SAD: req.sad } : {}),
        documents: req.documents.map((d) => ({
          document: b64(d.document),
          signature_format: d.signatureFormat,
          signAlgo: d.signAlgo,
          ...(d.conformanceLevel ? { conformance_level: d.conformanceLevel } : {}),
          ...(d.signedEnvelopeProperty ? { signed_envelope_property: d.signedEnvelopeProperty } : {}),
          ...(d.signAlgoParams ? { signAlgoParams: b64(d.signAlgoParams) } : {}),
        })),
        ...(req.returnValidationInfo ? { returnValidationInfo: true } : {}),
      });
      return readSignDoc(r);
    },
    async timestamp(hash, hashAlgo, nonce) {
      const r = await authed('signatures/timestamp', { hash: b64(hash), hashAlgo, ...(nonce ? { nonce } : {}) });
      return r.binary('timestamp');
    },
  };
}

export function createCscClient(o: CscClientOptions): CscClient {
  const t = createTransport(o);
  return build(t, `${t.baseUrl}${o.apiPath ?? '/csc/v2'}`, undefined);
}
