import type { LifecycleDeps } from '../admin/index.js';
import type { HashAlgorithm } from '../keys/index.js';
import type { AsyncSigning } from '../signing/async/index.js';
import type { Principal, Signing } from '../signing/index.js';

export interface LoginResult {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresIn: number;
}

/** The session half of ① as the CSC routes need it (auth/login, auth/revoke, bearer tokens). */
export interface SessionPort {
  loginBasic(authorization: string, opts: { rememberMe: boolean; ip: string }): Promise<LoginResult>;
  loginRefresh(refreshToken: string, opts: { rememberMe: boolean; ip: string }): Promise<LoginResult>;
  authenticate(token: string): Promise<Principal>;
  revoke(principal: Principal, token: string, hint?: 'access_token' | 'refresh_token'): Promise<void>;
}

export interface ServiceInfo {
  readonly name: string;
  readonly description: string;
  readonly region: string;
  readonly lang: string;
  readonly logo: string;
  readonly signAlgorithms: readonly string[];
  /** Base URI of the OAuth2 authorisation server (`info.oauth2`), when it is offered. */
  readonly oauth2?: string;
}

/** What signatures/timestamp needs of the TSA (tsa/): a token over a checked digest. */
export interface TimestampPort {
  stamp(req: {
    readonly hash: HashAlgorithm;
    readonly digest: Uint8Array;
    readonly nonce?: Uint8Array;
    readonly certReq: boolean;
    readonly actor: string;
  }): Promise<Uint8Array>;
}

export interface CscDeps {
  readonly info: ServiceInfo;
  readonly session: SessionPort;
  readonly signing: Signing;
  /** signatures/timestamp (§5.4). */
  readonly timestamps: TimestampPort;
  /** signatures/signDoc's body limit: documents travel in base64. */
  readonly signDocBodyLimit: number;
  /** `operationMode: "A"` and signatures/signPolling; absent → asynchronous mode is not offered. */
  readonly async?: AsyncSigning;
  /** CSC 2.2.0.0 additions (config `csc.version22`, v22/); absent → the service is 2.0.0.2 exactly. */
  readonly v22?: { readonly lifecycle: LifecycleDeps };
}
