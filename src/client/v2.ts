/**
 * A typed CSC client (csc-api-v2.md): one method per CSC method, Buffers in and out, base64 only on
 * the wire. `version` picks the wire mapping (wire.ts: v2, or v1 1.0.4.0 for older services); the
 * method bodies below are the same for both. `withToken` gives a client bound to an access token,
 * so one login serves any number of calls; the unauthenticated client can only call `info` and
 * `login`.
 */
import {
  type AsyncHandle,
  type AsyncOptions,
  asyncFields,
  type PollResult,
  readPoll,
  realSleep,
  type Sleep,
  type WaitOptions,
  waitFor,
} from './async.js';
import { CscTransportError, CscUsageError } from './errors.js';
import { readSignDoc } from './parse.js';
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
import { type CscVersion, v2Wire, type WireMapping } from './wire.js';
import { v1Wire } from './wire-v1.js';

export interface CscClientOptions extends TransportOptions {
  /** CSC 2.0 (default) or 1.0.4.0 (§7). */
  readonly version?: CscVersion;
  /** Where the API lives under the base URL (default `/csc/v2`, or `/csc/v1` for version v1). */
  readonly apiPath?: string;
  /** How waitFor waits between polls (tests inject one that does not). */
  readonly sleep?: Sleep;
}

/** Pages of v1 credentials/list followed at most (100 IDs each on this service). */
const MAX_PAGES = 1000;

export interface CscClient {
  readonly version: CscVersion;
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
  /** §4.1: the caller's credential IDs (v1: every page, following nextPageToken). */
  credentialsList(o?: { readonly onlyValid?: boolean }): Promise<string[]>;
  /** §4.2. */
  credentialsInfo(credentialID: string, o?: CredentialInfoOptions): Promise<CredentialInfo>;
  /** §4.3 (explicit mode): the SAD for these hashes, with PIN and/or OTP. */
  authorize(req: AuthorizeRequest): Promise<SignatureActivationData>;
  /** §4.5 getChallenge (v1 sendOTP): the service sends the one-time code out of band. */
  sendOTP(credentialID: string, authObjectID?: string): Promise<void>;
  /** §5.1 synchronous: one signature per hash, in order (ECDSA as DER, as this service returns it). */
  signHash(req: SignHashRequest): Promise<Buffer[]>;
  /** §5.1 operationMode A (v2 only): a handle for signPolling / waitFor. */
  signHash(req: SignHashRequest, o: { readonly async: AsyncOptions }): Promise<AsyncHandle>;
  /** §5.3, one poll. */
  signPolling(handle: AsyncHandle): Promise<PollResult>;
  /** Polls until the signatures are ready; CscTransportError `timeout` when they are not in time. */
  waitFor(handle: AsyncHandle, o?: WaitOptions): Promise<readonly Buffer[]>;
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

interface Ctx {
  readonly t: Transport;
  readonly wire: WireMapping;
  readonly apiUrl: string;
  readonly sleep: Sleep;
}

function build(c: Ctx, token: string | undefined): CscClient {
  const { t, wire, apiUrl } = c;
  const call = async (method: string, body: Json, opts: CallOptions = {}): Promise<Reader> =>
    new Reader(method, await t.post(`${apiUrl}/${method}`, method, body, opts));
  const authed = (method: string, body: Json) => call(method, body, { token: needToken(token, method) });
  const v2Only = (method: string) => {
    if (!wire.hasV2Only) throw new CscUsageError(`${method} is not part of CSC ${wire.version} (csc-api-v2.md §7)`);
  };

  const client: CscClient = {
    version: wire.version,
    baseUrl: t.baseUrl,
    apiUrl,
    async info(lang) {
      return wire.readInfo(await call('info', lang ? { lang } : {}));
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
    withToken: (next) => build(c, next),
    async credentialsList(o = {}) {
      const ids: string[] = [];
      let pageToken: string | undefined;
      for (let i = 0; i < MAX_PAGES; i++) {
        const page = wire.readList(
          await authed('credentials/list', wire.listBody({ ...o, ...(pageToken ? { pageToken } : {}) })),
        );
        ids.push(...page.ids);
        if (!page.next) return ids;
        pageToken = page.next;
      }
      throw new CscTransportError('bad_response', `credentials/list: more than ${MAX_PAGES} pages`);
    },
    async credentialsInfo(credentialID, o = {}) {
      return wire.readCredentialInfo(await authed('credentials/info', wire.infoBody(credentialID, o)));
    },
    async authorize(req) {
      const authData = [
        ...(req.pin !== undefined ? [{ id: 'PIN', value: req.pin }] : []),
        ...(req.otp !== undefined ? [{ id: 'OTP', value: req.otp }] : []),
        ...(req.authData ?? []),
      ];
      const r = await authed('credentials/authorize', wire.authorizeBody(req, authData));
      return { sad: r.str('SAD'), expiresIn: r.optNum('expiresIn') };
    },
    async sendOTP(credentialID, authObjectID = 'OTP') {
      const { method, body } = wire.challenge(credentialID, authObjectID);
      await authed(method, body);
    },
    // biome-ignore lint/suspicious/noExplicitAny: the overloads of CscClient.signHash are checked at the interface.
    signHash: (async (req: SignHashRequest, o?: { readonly async: AsyncOptions }): Promise<any> => {
      const body = wire.signHashBody(req);
      if (o?.async) {
        v2Only('operationMode A');
        const r = await authed('signatures/signHash', { ...body, ...asyncFields(o.async) });
        return { responseID: r.str('responseID'), count: req.hashes.length } satisfies AsyncHandle;
      }
      const signatures = (await authed('signatures/signHash', body)).binaries('signatures');
      if (signatures.length !== req.hashes.length)
        throw new CscTransportError('bad_response', 'signatures/signHash: not one signature per hash');
      return signatures;
    }) as CscClient['signHash'],
    async signPolling(handle) {
      v2Only('signatures/signPolling');
      return readPoll(await authed('signatures/signPolling', { requestID: handle.responseID }), handle);
    },
    waitFor: (handle, o) => waitFor(() => client.signPolling(handle), c.sleep, o),
    async signDoc(req) {
      v2Only('signatures/signDoc');
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
  return client;
}

export function createCscClient(o: CscClientOptions): CscClient {
  const t = createTransport(o);
  const wire = o.version === 'v1' ? v1Wire : v2Wire;
  const apiUrl = `${t.baseUrl}${o.apiPath ?? wire.apiPath}`;
  return build({ t, wire, apiUrl, sleep: o.sleep ?? realSleep }, undefined);
}
