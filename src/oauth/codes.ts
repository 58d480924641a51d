/**
 * Authorisation codes (RFC 6749 §4.1.2, §10.5): 256 random bits, stored as SHA-256 only, bound to
 * one client, one redirect URI, one PKCE challenge and the signer's approval, valid 60 s, usable
 * once. `issueCode` is what the login/consent pages call once the signer has authenticated and
 * approved; `redeemCode` is the authorization_code grant's first step.
 */
import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { ShomeiError } from '../errors.js';
import type { OAuthCodesTable } from '../store/index.js';
import { mayUse } from '../users/index.js';
import type { CredentialAuthorization, OAuthDeps, OAuthScope } from './model.js';
import { S256_CHALLENGE } from './pkce.js';

export const CODE_TTL_SECONDS = 60;

export interface IssueCodeInput {
  readonly clientId: string;
  readonly userId: string;
  readonly redirectUri: string;
  readonly scope: OAuthScope;
  /** S256 challenge (plain is refused at authorize). */
  readonly codeChallenge: string;
  readonly credential?: CredentialAuthorization;
  /** The RSSP login session the signer approved in. */
  readonly sessionId?: string;
  /** When the signer authenticated (ms). */
  readonly authTime: number;
  /** Assurance level reached (AUTH-4: 3 or 4). */
  readonly level: number;
}

export interface IssuedCode {
  readonly code: string;
  readonly expiresIn: number;
}

export type CodeRow = Selectable<OAuthCodesTable>;

export const codeHash = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex');
const CODE_FORMAT = /^[A-Za-z0-9_-]{43}$/;

async function checkInput(deps: OAuthDeps, input: IssueCodeInput): Promise<void> {
  const client = await deps.store.db
    .selectFrom('oauth_clients')
    .select(['status', 'redirect_uris'])
    .where('id', '=', input.clientId)
    .executeTakeFirst();
  if (client?.status !== 'enabled') throw new ShomeiError('unknown_client');
  if (!(JSON.parse(client.redirect_uris) as string[]).includes(input.redirectUri))
    throw new ShomeiError('invalid_redirect_uri');
  if (!S256_CHALLENGE.test(input.codeChallenge))
    throw new ShomeiError('oauth_invalid_request', { name: 'code_challenge' });
  if ((input.scope === 'credential') !== (input.credential !== undefined)) throw new ShomeiError('invalid_scope');
  if (input.scope === 'credential_management' && deps.credentialManagement !== true)
    throw new ShomeiError('invalid_scope');
  const c = input.credential;
  if (!c) return;
  const credential = await deps.credential(c.credentialId);
  // Another user's credential looks unknown (csc-api-v2.md §9 pitfall 1).
  if (!credential || !mayUse(credential, input.userId)) throw new ShomeiError('invalid_credential');
  // AUTH-4: the policy's mode and level, whatever page called (defence in depth for the pages).
  if (!credential.authModes.includes('oauth2code'))
    throw new ShomeiError('auth_mode_not_allowed', { mode: 'oauth2code' });
  if (input.level < credential.level)
    throw new ShomeiError('insufficient_level', { required: String(credential.level), reached: String(input.level) });
  if (!Number.isSafeInteger(c.numSignatures) || c.numSignatures < 1) throw new ShomeiError('invalid_num_signatures');
  if (c.numSignatures > credential.multisign) throw new ShomeiError('too_many_signatures');
  if (c.hashes && c.hashes.length > 0) {
    const len = deps.hashLength(c.hashAlgorithmOID ?? '');
    if (c.hashes.some((h) => h.length !== len)) throw new ShomeiError('invalid_digest_length');
    if (c.hashes.length !== c.numSignatures) throw new ShomeiError('invalid_num_signatures');
  } else if (credential.scal === '2') throw new ShomeiError('missing_array', { name: 'hashes' });
}

export async function issueCode(deps: OAuthDeps, input: IssueCodeInput): Promise<IssuedCode> {
  const fact = { type: 'oauth.code.issue', actor: input.userId, clientId: input.clientId, scope: input.scope };
  try {
    await checkInput(deps, input);
  } catch (e) {
    const reason = e instanceof ShomeiError ? e.code : 'internal';
    await deps.audit.append({ ...fact, outcome: 'failure', reason });
    throw e;
  }
  const { code, id } = await insertCode(deps, input);
  const c = input.credential;
  await deps.audit.append({
    ...fact,
    outcome: 'success',
    codeId: id,
    userId: input.userId,
    credentialId: c?.credentialId ?? null,
    numSignatures: c?.numSignatures ?? null,
    level: input.level,
  });
  return { code, expiresIn: CODE_TTL_SECONDS };
}

/** Stores a code (SHA-256 only) for a checked input; shared with the first-party admin sign-in. */
export async function insertCode(
  deps: OAuthDeps,
  input: Omit<IssueCodeInput, 'scope'> & { readonly scope: OAuthScope | 'admin' },
): Promise<{ code: string; id: string }> {
  const code = deps.random.bytes(32).toString('base64url');
  const now = deps.clock.now();
  // Codes a day past expiry cannot be redeemed or replayed meaningfully any more (unknown = refused).
  await deps.store.db
    .deleteFrom('oauth_codes')
    .where('expires_at', '<', now - 86_400_000)
    .execute();
  const id = deps.random.uuid();
  const c = input.credential;
  await deps.store.db
    .insertInto('oauth_codes')
    .values({
      id,
      code_hash: codeHash(code),
      client_id: input.clientId,
      user_id: input.userId,
      redirect_uri: input.redirectUri,
      scope: input.scope,
      code_challenge: input.codeChallenge,
      credential_id: c?.credentialId ?? null,
      num_signatures: c?.numSignatures ?? null,
      hash_algorithm_oid: c?.hashAlgorithmOID ?? null,
      hashes: c?.hashes?.length ? JSON.stringify(c.hashes.map((h) => h.toString('base64'))) : null,
      login_session_id: input.sessionId ?? null,
      auth_time: input.authTime,
      level: input.level,
      expires_at: now + CODE_TTL_SECONDS * 1000,
      used_at: null,
      replayed_at: null,
      token_session_id: null,
      created_at: now,
    })
    .execute();
  return { code, id };
}

/** Why a code was refused, for the log; the client always sees a catalogue error. */
export class CodeRefused extends ShomeiError {
  constructor(
    readonly reason: string,
    readonly row: CodeRow | undefined,
    code: 'invalid_grant' | 'redirect_uri_mismatch' | 'pkce_mismatch' = 'invalid_grant',
  ) {
    super(code);
  }
}

/**
 * Looks the code up and spends it. Checks that need no spending come first (a code presented by
 * another client is not burnt for its owner); a second presentation is a replay: the tokens
 * already issued for the code are revoked (RFC 6749 §4.1.2) and it is refused.
 */
export async function redeemCode(
  deps: OAuthDeps,
  code: string,
  clientId: string,
  tokenSessionId: string,
): Promise<CodeRow> {
  if (!CODE_FORMAT.test(code)) throw new CodeRefused('malformed', undefined);
  const row = await deps.store.db
    .selectFrom('oauth_codes')
    .selectAll()
    .where('code_hash', '=', codeHash(code))
    .executeTakeFirst();
  if (!row) throw new CodeRefused('unknown', undefined);
  if (row.client_id !== clientId) throw new CodeRefused('other_client', row);
  const now = deps.clock.now();
  const spent = await deps.store.db
    .updateTable('oauth_codes')
    .set({ used_at: now, token_session_id: tokenSessionId })
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (spent.numUpdatedRows === 0n) {
    await deps.store.db.updateTable('oauth_codes').set({ replayed_at: now }).where('id', '=', row.id).execute();
    const fresh = await deps.store.db
      .selectFrom('oauth_codes')
      .select('token_session_id')
      .where('id', '=', row.id)
      .executeTakeFirst();
    if (fresh?.token_session_id) await deps.tokens.revokeSession(fresh.token_session_id);
    throw new CodeRefused('replay', row);
  }
  if (row.expires_at <= now) throw new CodeRefused('expired', row);
  return row;
}

/** A replay that raced the first redemption: revoke what the first one just issued. */
export async function replayedMeanwhile(deps: OAuthDeps, codeId: string): Promise<boolean> {
  const r = await deps.store.db
    .selectFrom('oauth_codes')
    .select('replayed_at')
    .where('id', '=', codeId)
    .executeTakeFirst();
  return r?.replayed_at !== null && r?.replayed_at !== undefined;
}
