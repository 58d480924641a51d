/**
 * What signing (function ③) needs from the other functions, as narrow ports. The composition root
 * (app.ts) adapts the modules to them; signing imports none of them directly, so the direction of
 * dependencies in DESIGN.md holds and tests can substitute any port.
 */
import type { AuditSink } from '../audit/event.js';
import type { Clock } from '../platform/index.js';

/** The caller as the bearer token established it (AUTH-1). */
export interface Principal {
  readonly userId: string;
  readonly clientId: string;
  readonly sessionId: string;
  readonly scope: string;
}

/** A credential row of DB-1 (user → key). */
export interface CredentialRecord {
  readonly id: string;
  readonly userId: string;
  readonly keyId: string;
  readonly description: string;
  readonly status: 'enabled' | 'disabled';
  readonly scal: '1' | '2';
  readonly multisign: number;
  /** AUTH-4: the authData ids credentials/authorize requires (factors.ts), e.g. ['PIN', 'TOTP']. */
  readonly factors: readonly string[];
  /** AUTH-4: 2 (PIN only), 3 (PIN + possession factor), 4 (WebAuthn UV on the RSSP's page). */
  readonly level: 2 | 3 | 4;
  /** CSC auth modes the policy allows ('explicit' = credentials/authorize, 'oauth2code'). */
  readonly authModes: readonly ('explicit' | 'oauth2code')[];
  /** AUTH-5: cap on a SAD's lifetime for this credential (PIN caching); null = the service's. */
  readonly sadTtlSeconds: number | null;
  /** SEAL-1: named operators who may use it besides the owner (e-seals). */
  readonly operators: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface KeyDescription {
  readonly keyType: string;
  readonly active: boolean;
  /** CSC `key.algo`: the signature algorithm OIDs this key may use. */
  readonly algoOids: readonly string[];
  readonly bits: number;
  readonly curveOid?: string;
}

export interface CertificateRecord {
  /** DER, end-entity first. */
  readonly chain: readonly Buffer[];
  readonly status: string;
  readonly subjectDN: string;
  readonly issuerDN: string;
  readonly serialNumber: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** A signature request resolved against the algorithm table (keys/ adds the scheme details). */
export interface ResolvedSignature {
  readonly hash: { readonly oid: string; readonly length: number };
}

export interface SignRequest {
  readonly signAlgo: string;
  readonly hashAlgorithmOID?: string;
  readonly signAlgoParams?: Buffer;
}

export interface KeysPort<R extends ResolvedSignature = ResolvedSignature> {
  describe(keyId: string): Promise<KeyDescription>;
  certificate(keyId: string): Promise<CertificateRecord | undefined>;
  /** Checks the request against the algorithm table for this key; throws catalogue errors. */
  resolve(keyType: string, req: SignRequest): R;
  /** Signs each digest as given (never re-hashed), off the main thread. */
  signDigests(keyId: string, resolved: R, digests: readonly Buffer[]): Promise<Buffer[]>;
  hashLength(hashOid: string): number;
}

export interface CredentialsPort {
  get(id: string): Promise<CredentialRecord | undefined>;
  listForUser(userId: string): Promise<CredentialRecord[]>;
}

export interface SadGrant {
  readonly sad: string;
  readonly expiresIn: number;
}

export interface SadsPort {
  issue(req: {
    principal: Principal;
    credential: CredentialRecord;
    numSignatures: number;
    hashes?: readonly Buffer[];
    hashAlgorithmOID?: string;
  }): Promise<SadGrant>;
  /** Spends the SAD for these hashes atomically; returns the SAD's row id (for the log). */
  spend(req: {
    sad: string;
    principal: Principal;
    credentialId: string;
    hashes: readonly Buffer[];
    /** The algorithm of these digests: a SAD bound to another one refuses them without spending. */
    hashAlgorithmOID: string;
  }): Promise<{ sadId: string; hashAlgorithmOID: string | null }>;
}

/** One factor's answer to check for one user and credential (auth/factors/ does the checking). */
export interface FactorCheck {
  readonly userId: string;
  readonly credentialId: string;
  readonly value: string;
}

export interface ActivationPort {
  /** Verifies the signer's PIN (with lockout); throws invalid_pin / credential_locked. */
  verifyPin(userId: string, pin: string): Promise<void>;
  /** TOTP code, replay refused, counted against the lockout; throws invalid_otp / credential_locked. */
  verifyTotp(check: FactorCheck): Promise<void>;
  /** Answer to the open out-of-band challenge; throws invalid_otp / credential_locked. */
  verifyOtp(check: FactorCheck): Promise<void>;
  /** credentials/getChallenge: sends a one-time code out of band for this user and credential. */
  sendOtp(userId: string, credentialId: string): Promise<void>;
}

export interface SigningPorts<R extends ResolvedSignature = ResolvedSignature> {
  readonly credentials: CredentialsPort;
  readonly keys: KeysPort<R>;
  readonly sads: SadsPort;
  readonly activation: ActivationPort;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly documents: DocumentsPort;
}

/** signDoc's format fields as CSC names them (csc-api-v2.md §5.2). */
export interface DocumentFormatFields {
  readonly signature_format: string;
  readonly conformance_level?: string | undefined;
  readonly signed_envelope_property?: string | undefined;
}

/** The signer as a signature format needs it: certificates and algorithm, never the key. */
export interface DocumentSigner {
  readonly chain: readonly Buffer[];
  readonly hashOid: string;
  readonly signAlgo: string;
  readonly signAlgoParams?: Buffer;
  readonly signingTime: Date;
}

/** A document signature waiting for its value (formats/ports.ts). */
export interface PreparedDocument {
  /** What the key signs: the digest of the signed attributes / SignedInfo / JWS input. */
  readonly digest: Buffer;
  /** true: the result is a SignatureObject; false: the signed document (DocumentWithSignature). */
  readonly detached: boolean;
  finish(signatureValue: Buffer): Promise<Buffer>;
}

/** Revocation data for a chain, as signDoc's `validationInfo` returns it. */
export interface ValidationInfo {
  readonly ocsp: readonly Buffer[];
  readonly crl: readonly Buffer[];
  readonly certificates: readonly Buffer[];
}

/** FMT-1: the signature formats with their time-stamping and revocation services bound (formats/). */
export interface DocumentsPort {
  prepare(
    input: { readonly document: Buffer } | { readonly digest: Buffer },
    signer: DocumentSigner,
    fields: DocumentFormatFields,
  ): Promise<PreparedDocument>;
  /** The digest of a whole document, which the SAD binds (SCAL2). */
  digest(document: Buffer, hashOid: string): Buffer;
  validationInfo(chain: readonly Buffer[]): Promise<ValidationInfo>;
}
