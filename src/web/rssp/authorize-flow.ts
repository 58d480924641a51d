/**
 * oauth2code on the RSSP's own pages (WEB-1, AUTH-1..AUTH-4, VIEW): the steps between a valid
 * `oauth2/authorize` request and the code sent back to the client.
 *
 *   login   — user name + password (level 1), or a security key with user verification (level 4,
 *             discoverable: no name typed, nothing to enumerate);
 *   consent — the client's name, the credential, each document's label and hash and the
 *             verification code; the signer approves with the credential's own factors (PIN +
 *             TOTP/OTP: level 2-3) or, for a level-4 credential, with the security key over a
 *             challenge that commits to exactly these hashes;
 *   done    — one code, bound by oauth/codes.ts to this client, redirect URI, PKCE challenge and
 *             level; the flow cannot be approved twice.
 */
import { createHash } from 'node:crypto';
import type { AuditSink } from '../../audit/event.js';
import type { AuthenticationResponseJSON, WebAuthnFactor } from '../../auth/factors/webauthn.js';
import { isShomeiError, ShomeiError } from '../../errors.js';
import {
  type AuthorizationRequest,
  codeRedirect,
  errorRedirect,
  type OAuth,
  type OAuthScope,
  verificationCode,
} from '../../oauth/index.js';
import type { Clock, Random } from '../../platform/index.js';
import type { CredentialRecord, Signing } from '../../signing/index.js';
import { mayUse } from '../../users/index.js';
import type { Flow, Flows } from './flows.js';

/** What the flow row keeps of the validated request (JSON). */
export interface FlowRequest {
  readonly clientId: string;
  readonly clientName: string;
  readonly redirectUri: string;
  readonly state?: string;
  /** 'admin': the built-in admin command line signing in (oauth/first-party.ts). */
  readonly scope: OAuthScope | 'admin';
  readonly codeChallenge: string;
  readonly credential?: {
    readonly credentialId: string;
    readonly numSignatures: number;
    readonly hashAlgorithmOID?: string;
    /** Standard base64 of each raw digest. */
    readonly hashes?: readonly string[];
    readonly labels?: readonly string[];
  };
  readonly description?: string;
  readonly lang?: string;
}

export type AuthorizeFlow = Flow<FlowRequest>;

export interface RsspDeps {
  readonly flows: Flows;
  readonly oauth: OAuth;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly random: Random;
  readonly webauthn: WebAuthnFactor;
  readonly signing: Signing;
  /** Username + password, no enumeration, lockout (auth/login.ts); returns the user id. */
  verifyPassword(username: string, password: string, clientId: string): Promise<string>;
  credential(id: string): Promise<CredentialRecord | undefined>;
  /** Administrative roles (API-2): what an admin sign-in would grant. */
  rolesOf(userId: string): Promise<readonly string[]>;
  certificateSubject(keyId: string): Promise<string | undefined>;
  hashName(oid: string): string;
}

export interface ConsentView {
  readonly clientName: string;
  readonly scope: OAuthScope | 'admin';
  /** An admin sign-in: the roles the command line will act with. */
  readonly admin?: { readonly roles: readonly string[] };
  readonly description?: string;
  readonly credential?: {
    readonly id: string;
    readonly description: string;
    readonly subject?: string;
    readonly level: number;
    readonly factors: readonly string[];
    readonly numSignatures: number;
    readonly hashAlgorithm?: string;
    readonly documents: readonly { label: string; hex: string; base64: string }[];
    readonly verificationCode?: string;
  };
  /** 'security-key' for a level-4 credential, else the factors to type ([] for service scope). */
  readonly approval: 'security-key' | 'factors';
}

export function toFlowRequest(r: AuthorizationRequest): FlowRequest {
  const c = r.credential;
  return {
    clientId: r.client.id,
    clientName: r.client.name,
    redirectUri: r.redirectUri,
    ...(r.state !== undefined ? { state: r.state } : {}),
    scope: r.scope,
    codeChallenge: r.codeChallenge,
    ...(c
      ? {
          credential: {
            credentialId: c.credentialId,
            numSignatures: c.numSignatures,
            ...(c.hashAlgorithmOID ? { hashAlgorithmOID: c.hashAlgorithmOID } : {}),
            ...(c.hashes ? { hashes: c.hashes.map((h) => h.toString('base64')) } : {}),
            ...(c.labels ? { labels: [...c.labels] } : {}),
          },
        }
      : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(r.lang !== undefined ? { lang: r.lang } : {}),
  };
}

const rawHashes = (r: FlowRequest) => (r.credential?.hashes ?? []).map((h) => Buffer.from(h, 'base64'));

export function createAuthorizeFlow(deps: RsspDeps) {
  const { flows, audit } = deps;

  const log = (flow: AuthorizeFlow, type: string, outcome: 'success' | 'failure', extra: Record<string, unknown>) =>
    audit.append({
      type,
      actor: flow.userId ?? 'anonymous',
      outcome,
      flowId: flow.id,
      clientId: flow.request.clientId,
      userId: flow.userId,
      credentialId: flow.request.credential?.credentialId ?? null,
      ...extra,
    });

  /** The signer's own credential or, as for a foreign or unknown one, invalid_credential. */
  async function ownCredential(flow: AuthorizeFlow): Promise<CredentialRecord | undefined> {
    const id = flow.request.credential?.credentialId;
    if (!id) return undefined;
    const c = await deps.credential(id);
    if (!c || !flow.userId || !mayUse(c, flow.userId)) throw new ShomeiError('invalid_credential');
    return c;
  }

  async function login(flow: AuthorizeFlow, username: string, password: string): Promise<void> {
    const userId = await deps.verifyPassword(username, password, flow.request.clientId);
    await flows.advance(flow.id, 'login', { step: 'consent', userId, level: 1, authTime: deps.clock.now() });
  }

  async function securityKeyOptions(flow: AuthorizeFlow, purpose: 'login' | 'approve') {
    if (purpose === 'login' && flow.step !== 'login') throw new ShomeiError('flow_step');
    if (purpose === 'approve' && flow.step !== 'consent') throw new ShomeiError('flow_step');
    const nonce = deps.random.bytes(32);
    // The approval challenge commits to the flow and exactly the hashes on the page.
    const challenge =
      purpose === 'approve'
        ? createHash('sha256')
            .update('shomei-approve\0')
            .update(flow.id)
            .update(nonce)
            .update(JSON.stringify(flow.request.credential ?? {}))
            .digest()
        : nonce;
    if (purpose === 'approve' && flow.userId && !(await deps.webauthn.hasCredential(flow.userId)))
      throw new ShomeiError('no_security_key');
    await flows.advance(flow.id, flow.step, { challenge: challenge.toString('base64url') });
    return deps.webauthn.authenticationOptions(
      challenge,
      purpose === 'approve' ? (flow.userId ?? undefined) : undefined,
    );
  }

  async function securityKeyLogin(flow: AuthorizeFlow, response: AuthenticationResponseJSON): Promise<void> {
    // The challenge is spent whatever the outcome: an assertion is checked against it once.
    const challenge = await flows.takeChallenge(flow.id, 'login', flow.challenge);
    const r = await deps.webauthn.verifyAssertion(response, challenge, { purpose: 'login' });
    await flows.advance(flow.id, 'login', {
      step: 'consent',
      userId: r.userId,
      level: 4,
      authTime: deps.clock.now(),
    });
    await log({ ...flow, userId: r.userId }, 'auth.login', 'success', { method: 'webauthn' });
  }

  async function consentView(flow: AuthorizeFlow): Promise<ConsentView> {
    const r = flow.request;
    const base = {
      clientName: r.clientName,
      scope: r.scope,
      ...(r.description !== undefined ? { description: r.description } : {}),
    };
    if (r.scope === 'admin')
      return { ...base, admin: { roles: await deps.rolesOf(flow.userId ?? '') }, approval: 'security-key' };
    const c = await ownCredential(flow);
    if (!c || !r.credential) return { ...base, approval: 'factors' };
    const hashes = rawHashes(r);
    const subject = await deps.certificateSubject(c.keyId);
    return {
      ...base,
      credential: {
        id: c.id,
        description: c.description,
        ...(subject ? { subject } : {}),
        level: c.level,
        factors: c.factors,
        numSignatures: r.credential.numSignatures,
        ...(r.credential.hashAlgorithmOID ? { hashAlgorithm: deps.hashName(r.credential.hashAlgorithmOID) } : {}),
        documents: hashes.map((h, i) => ({
          label: r.credential?.labels?.[i] ?? `Document ${i + 1}`,
          hex: h.toString('hex'),
          base64: h.toString('base64'),
        })),
        ...(hashes.length > 0 ? { verificationCode: verificationCode(hashes) } : {}),
      },
      approval: c.level === 4 ? 'security-key' : 'factors',
    };
  }

  /** Issues the code and ends the flow; the redirect the browser follows. */
  async function complete(flow: AuthorizeFlow, level: number): Promise<string> {
    if (!flow.userId) throw new ShomeiError('flow_step');
    const r = flow.request;
    if (r.scope === 'admin') return completeAdmin(flow, flow.userId, level);
    const c = r.credential;
    const issued = await deps.oauth.issueCode({
      clientId: r.clientId,
      userId: flow.userId,
      redirectUri: r.redirectUri,
      scope: r.scope,
      codeChallenge: r.codeChallenge,
      ...(c
        ? {
            credential: {
              credentialId: c.credentialId,
              numSignatures: c.numSignatures,
              ...(c.hashAlgorithmOID ? { hashAlgorithmOID: c.hashAlgorithmOID } : {}),
              ...(c.hashes ? { hashes: rawHashes(r) } : {}),
            },
          }
        : {}),
      sessionId: flow.id,
      authTime: flow.authTime ?? deps.clock.now(),
      level,
    });
    if (!(await flows.finish(flow.id))) throw new ShomeiError('flow_expired');
    const hashes = rawHashes(r);
    await log(flow, 'rssp.consent', 'success', {
      level,
      numSignatures: c?.numSignatures ?? null,
      verificationCode: hashes.length > 0 ? verificationCode(hashes) : null,
    });
    return codeRedirect(r.redirectUri, issued.code, r.state);
  }

  /** API-2, AUTH-4: an administrator signed in with a security key; the code goes to the loopback CLI. */
  async function completeAdmin(flow: AuthorizeFlow, userId: string, level: number): Promise<string> {
    const r = flow.request;
    if (level < 4) throw new ShomeiError('insufficient_level', { required: '4', reached: String(level) });
    if ((await deps.rolesOf(userId)).length === 0) throw new ShomeiError('admin_role_required', { role: 'any' });
    const { code } = await deps.oauth.issueAdminCode({
      userId,
      redirectUri: r.redirectUri,
      codeChallenge: r.codeChallenge,
      level,
      sessionId: flow.id,
      authTime: flow.authTime ?? deps.clock.now(),
    });
    if (!(await flows.finish(flow.id))) throw new ShomeiError('flow_expired');
    await log(flow, 'rssp.consent', 'success', { level, scope: 'admin' });
    return codeRedirect(r.redirectUri, code, r.state);
  }

  async function approveWithFactors(flow: AuthorizeFlow, authData: { id: string; value?: string }[]): Promise<string> {
    if (flow.step !== 'consent') throw new ShomeiError('flow_step');
    if (flow.request.scope === 'admin')
      throw new ShomeiError('insufficient_level', { required: '4', reached: String(flow.level) });
    const c = await ownCredential(flow);
    if (!c) return complete(flow, flow.level);
    if (c.level === 4) throw new ShomeiError('insufficient_level', { required: '4', reached: '3' });
    const level = await deps.signing.activateOnPage(c.userId, c.id, authData);
    return complete(flow, level);
  }

  async function approveWithSecurityKey(flow: AuthorizeFlow, response: AuthenticationResponseJSON): Promise<string> {
    if (!flow.userId) throw new ShomeiError('flow_step');
    const challenge = await flows.takeChallenge(flow.id, 'consent', flow.challenge);
    await deps.webauthn.verifyAssertion(response, challenge, { userId: flow.userId, purpose: 'approve' });
    return complete(flow, 4);
  }

  /** The signer said no, or the flow died: back to the client with the error (RFC 6749 §4.1.2.1). */
  async function refuse(flow: AuthorizeFlow, code: 'access_denied_by_user' | 'flow_attempts'): Promise<string> {
    await flows.finish(flow.id);
    await log(flow, 'rssp.consent', 'failure', { reason: code });
    const r = flow.request;
    return errorRedirect({
      kind: 'redirect',
      redirectUri: r.redirectUri,
      ...(r.state !== undefined ? { state: r.state } : {}),
      code,
      params: {},
    });
  }

  /**
   * A failed attempt on a page: logged, counted; the fifth ends the flow (the caller then sends
   * the browser back to the client with access_denied).
   */
  async function failed(flow: AuthorizeFlow, step: string, e: unknown): Promise<{ dead: boolean; code: string }> {
    const code = isShomeiError(e) ? e.code : 'internal';
    await log(flow, 'rssp.attempt', 'failure', { step, reason: code });
    return { dead: await flows.fail(flow.id), code };
  }

  return {
    login,
    securityKeyOptions,
    securityKeyLogin,
    consentView,
    approveWithFactors,
    approveWithSecurityKey,
    refuse,
    failed,
    sendOtp: async (flow: AuthorizeFlow) => {
      const c = await ownCredential(flow);
      if (!c || !flow.userId) throw new ShomeiError('flow_step');
      await deps.signing.getChallenge(
        { userId: flow.userId, clientId: flow.request.clientId, sessionId: flow.id, scope: 'service' },
        { credentialId: c.id, authObjectId: 'OTP' },
      );
    },
  };
}

export type AuthorizeFlowService = ReturnType<typeof createAuthorizeFlow>;
