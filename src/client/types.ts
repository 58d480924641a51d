/**
 * What the CSC client returns and takes (csc-api-v2.md §3–§5), in TypeScript names with binary as
 * Buffers. A later version adds v1 (1.0.4.0) and asynchronous mode behind the same interface.
 */

export interface CscInfo {
  readonly specs: string;
  readonly name: string;
  readonly region: string;
  readonly lang: string;
  readonly description: string;
  readonly authType: readonly string[];
  /** Base URI of the authorization server (oauth2/authorize, oauth2/token), when OAuth is offered. */
  readonly oauth2?: string;
  readonly methods: readonly string[];
  readonly signAlgorithms: readonly string[];
  /** Per format letter (C/X/P/J), the envelope properties offered. */
  readonly signatureFormats: Readonly<Record<string, readonly string[]>>;
  readonly conformanceLevels: readonly string[];
}

export interface LoginResult {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** Seconds (csc-api-v2.md §3.2: default 3600 when the service omits it). */
  readonly expiresIn: number;
}

export type CertificatesSelector = 'none' | 'single' | 'chain';

export interface CredentialInfoOptions {
  readonly certificates?: CertificatesSelector;
  readonly certInfo?: boolean;
  readonly authInfo?: boolean;
}

export interface AuthObject {
  readonly type: string;
  readonly id: string;
  readonly format?: string;
  readonly label?: string;
}

export interface CredentialInfo {
  readonly description?: string;
  readonly key: {
    readonly status: string;
    /** Signature-algorithm OIDs this key may use (signAlgo must be one of them). */
    readonly algo: readonly string[];
    readonly len: number;
    readonly curve?: string;
  };
  readonly cert: {
    readonly status?: string;
    /** DER, end-entity first, per the selector. */
    readonly certificates: readonly Buffer[];
    readonly subjectDN?: string;
    readonly issuerDN?: string;
    readonly serialNumber?: string;
  };
  readonly auth: {
    readonly mode: string;
    readonly expression?: string;
    readonly objects: readonly AuthObject[];
  };
  readonly scal?: string;
  readonly multisign: number;
}

/** One `authData` entry (§4.3): an auth object of credentials/info and what the user typed. */
export interface AuthDataEntry {
  readonly id: string;
  readonly value?: string;
}

export interface AuthorizeRequest {
  readonly credentialID: string;
  readonly hashes: readonly Uint8Array[];
  readonly hashAlgorithmOID: string;
  /** Shortcuts for the common objects: `{id: 'PIN'}` and `{id: 'OTP'}`. */
  readonly pin?: string;
  readonly otp?: string;
  /** Sent as is, after the shortcuts (e.g. `{ id: 'TOTP', value }`). */
  readonly authData?: readonly AuthDataEntry[];
  /** Default: the number of hashes. */
  readonly numSignatures?: number;
  readonly description?: string;
}

/** The SAD of credentials/authorize (§4.3): opaque, short-lived, bound to the hashes. */
export interface SignatureActivationData {
  readonly sad: string;
  /** Seconds; undefined when the service did not say. */
  readonly expiresIn: number | undefined;
}

export interface SignHashRequest {
  readonly credentialID: string;
  /** Omitted with a credential-scoped token (§5.1). */
  readonly sad?: string;
  readonly hashes: readonly Uint8Array[];
  readonly signAlgo: string;
  readonly hashAlgorithmOID?: string;
  readonly signAlgoParams?: Uint8Array;
}

export interface SignDocDocument {
  readonly document: Uint8Array;
  /** C, X, P or J. */
  readonly signatureFormat: string;
  readonly conformanceLevel?: string;
  readonly signedEnvelopeProperty?: string;
  readonly signAlgo: string;
  readonly signAlgoParams?: Uint8Array;
}

export interface SignDocRequest {
  readonly credentialID: string;
  readonly sad?: string;
  readonly documents: readonly SignDocDocument[];
  readonly returnValidationInfo?: boolean;
}

export interface SignDocResult {
  /** The signed documents (attached/enveloped/PAdES), in request order. */
  readonly documentWithSignature: readonly Buffer[];
  /** Detached signatures, in request order. */
  readonly signatureObject: readonly Buffer[];
  readonly validationInfo?: {
    readonly ocsp: readonly Buffer[];
    readonly crl: readonly Buffer[];
    readonly certificates: readonly Buffer[];
  };
}
