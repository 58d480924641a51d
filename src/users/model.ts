/** The public shapes of DB-1 (USER-1). Verifiers and lockout counters never leave this module's rows. */
import type { Selectable } from 'kysely';
import type { AuditSink } from '../audit/event.js';
import type { Clock, Random } from '../platform/index.js';
import type { CredentialStatus, CredentialsTable, Store, Tx, UserStatus, UsersTable } from '../store/index.js';
import { type AdminRole, parseRoles } from './roles.js';

/** Who acted, as the audit log records it: a user id, 'admin:<name>' or 'system' (USER-2). */
export type Actor = string;

export interface User {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly status: UserStatus;
  readonly hasPassword: boolean;
  readonly hasPin: boolean;
  /** API-2: administrative roles; none for a signer. */
  readonly roles: readonly AdminRole[];
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A CSC credential: the mapping of a user to one of their keys (USER-1). */
export interface Credential {
  readonly id: string;
  readonly userId: string;
  readonly keyId: string;
  readonly description: string;
  readonly status: CredentialStatus;
  /** CSC SCAL: '1' (count-bound SAD) or '2' (hash-bound SAD). */
  readonly scal: '1' | '2';
  /** Maximum numSignatures per authorisation (AUTH-5). */
  readonly multisign: number;
  /** AUTH-4: factors credentials/authorize requires, e.g. ['PIN'] or ['PIN', 'TOTP']. */
  readonly factors: readonly string[];
  /** AUTH-4: the assurance level the policy requires (2 PIN only, 3 two factors, 4 WebAuthn UV). */
  readonly level: CredentialLevel;
  /** CSC auth modes the credential may be activated through. */
  readonly authModes: readonly AuthMode[];
  /** AUTH-5: the longest a SAD for it lives (the PIN-caching window); null = the service's setting. */
  readonly sadTtlSeconds: number | null;
  /** SEAL-1: users who may use this (organisation's e-seal) credential besides its owner. */
  readonly operators: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * USER-5, SEAL-1: who may use a credential — its owner, or a named operator of an e-seal. Anyone
 * else sees it as unknown (csc-api-v2.md §9 pitfalls 1 and 3).
 */
export const mayUse = (
  c: { readonly userId: string; readonly operators: readonly string[] },
  userId: string,
): boolean => c.userId === userId || c.operators.includes(userId);

export type CredentialLevel = 2 | 3 | 4;
export type AuthMode = 'explicit' | 'oauth2code';
export const AUTH_MODES: readonly AuthMode[] = ['explicit', 'oauth2code'];

/** The factor ids a credential may require (CSC authData ids); the PIN is always one of them. */
export const CREDENTIAL_FACTORS = ['PIN', 'OTP', 'TOTP'] as const;

/**
 * Revokes everything the user holds outside DB-1 (tokens, SADs) inside the caller's transaction.
 * auth/ provides it; users/ does not import auth/, so the composition root wires the two.
 */
export type RevokeUserAccess = (tx: Tx, userId: string, now: number) => Promise<void>;

export interface UsersDeps {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly random: Random;
  readonly scryptLogN: number;
  readonly enrolmentCodeTtlSeconds: number;
  readonly revokeUserAccess?: RevokeUserAccess;
}

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    status: row.status,
    hasPassword: row.password_verifier !== null,
    hasPin: row.pin_verifier !== null,
    roles: parseRoles(row.roles),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toCredential(row: Selectable<CredentialsTable>): Credential {
  return {
    id: row.id,
    userId: row.user_id,
    keyId: row.key_id,
    description: row.description,
    status: row.status,
    scal: row.scal === '2' ? '2' : '1',
    multisign: row.multisign,
    factors: row.factors.split(',').filter((f) => f !== ''),
    level: row.level === 4 ? 4 : row.level === 3 ? 3 : 2,
    authModes: AUTH_MODES.filter((m) => row.auth_modes.split(',').includes(m)),
    sadTtlSeconds: row.sad_ttl_seconds ?? null,
    operators: row.operators.split(',').filter((o) => o !== ''),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
