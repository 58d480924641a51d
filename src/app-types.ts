/** The service `buildApp` (app.ts, the composition root) returns, and its options. */
import type { AuditLog } from './audit/index.js';
import type { OtpFactor, TotpFactor } from './auth/index.js';
import type { Crls, LocalCa } from './ca/index.js';
import type { OcspResponder } from './ca/ocsp/index.js';
import type { Config } from './config/index.js';
import type { HttpApp } from './http/server.js';
import type { KeyService } from './keys/index.js';
import type { OAuth } from './oauth/index.js';
import type { Platform } from './platform/index.js';
import type { Signing } from './signing/index.js';
import type { Store } from './store/index.js';
import type { Tsa } from './tsa/index.js';
import type { Users } from './users/index.js';
import type { TrustStore } from './validation/trust/index.js';

export interface App {
  readonly config: Readonly<Config>;
  readonly platform: Platform;
  readonly store: Store;
  readonly keys: KeyService;
  readonly ca: LocalCa;
  /** CA-2: each CA's CRLs. */
  readonly crls: Crls;
  /** CA-2: the OCSP responder (pre-generation for a CDN, B5). */
  readonly ocsp: OcspResponder;
  /** TSA-1: the built-in RFC 3161 time-stamping authority (POST /tsa, CSC signatures/timestamp). */
  readonly tsa: Tsa;
  /** TRUST-1: the anchors validation trusts (config, this service's root, trusted lists). */
  readonly trust: TrustStore;
  readonly users: Users;
  readonly audit: AuditLog;
  readonly signing: Signing;
  /** The OAuth2 authorisation server (clients, codes, tokens). */
  readonly oauth: OAuth;
  /** Second factors (AUTH-4): TOTP enrolment for the CLI, out-of-band OTP. */
  readonly factors: { readonly totp: TotpFactor; readonly otp: OtpFactor };
  readonly http: HttpApp;
  /** The log's verifier key (C2SP note format): all `shomei audit verify` needs besides the log. */
  readonly logVerifierKey: string;
  readonly baseUrl: string;
  /** Starts background work (periodic log checkpoints). */
  start(): void;
  close(): Promise<void>;
}

export interface BuildOptions {
  readonly platform?: Platform;
  /** false silences request logs (tests, CLI). */
  readonly logger?: boolean;
}
