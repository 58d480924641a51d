/** The OAuth2 authorisation server's values (CSC v2 oauth2/*, RFC 6749, RFC 7636, RFC 9396). */
import type { AuditSink } from '../audit/event.js';
import type { TokenService } from '../auth/index.js';
import type { Clock, Random } from '../platform/index.js';
import type { Store } from '../store/index.js';
import type { Credential } from '../users/index.js';

export type ClientAuthMethod = 'client_secret_basic' | 'private_key_jwt';
export type GrantType = 'authorization_code' | 'client_credentials' | 'refresh_token';
export const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'client_credentials', 'refresh_token'];
/**
 * `credential_management`: CSC 2.2 credentials/create and credentials/delete, which are authorised only
 * through OAuth (csc-api-v2.md §4.7); offered only with `csc.version22` (the scope name is ours; csc/v22 checks it).
 */
export type OAuthScope = 'service' | 'credential' | 'credential_management';

export interface OAuthClient {
  readonly id: string;
  readonly name: string;
  readonly authMethod: ClientAuthMethod;
  /** Matched exactly, character for character (RFC 9700 §4.1.3). */
  readonly redirectUris: readonly string[];
  readonly grantTypes: readonly GrantType[];
  /** The account a client_credentials (e-seal) client acts for. */
  readonly serviceUserId: string | null;
  readonly status: 'enabled' | 'disabled';
  readonly createdAt: number;
}

/** What a scope=credential authorisation binds (csc-api-v2.md §3.4; AUTH-3). */
export interface CredentialAuthorization {
  readonly credentialId: string;
  readonly numSignatures: number;
  readonly hashAlgorithmOID?: string;
  /** Raw digests; one entry per authorised occurrence. */
  readonly hashes?: readonly Buffer[];
  /** `authorization_details.documentDigests[].label`, shown on the consent page. */
  readonly labels?: readonly string[];
}

export interface OAuthDeps {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly random: Random;
  readonly tokens: TokenService;
  readonly scryptLogN: number;
  /** The token endpoint's URL: the only `aud` a client assertion may carry (RFC 7523 §3). */
  readonly tokenEndpoint: string;
  /** Issues the SAD a credential-scoped token carries (the foundation's SAD service). */
  issueSad(req: {
    principal: { userId: string; clientId: string; sessionId: string; scope: string };
    credential: Credential;
    numSignatures: number;
    hashes?: readonly Buffer[];
    hashAlgorithmOID?: string;
  }): Promise<{ sad: string; expiresIn: number }>;
  credential(id: string): Promise<Credential | undefined>;
  /** Digest length of a hash algorithm OID; throws unsupported_algorithm. */
  hashLength(oid: string): number;
  /** Whether the `credential_management` scope is offered (config `csc.version22`). */
  readonly credentialManagement?: boolean;
}
