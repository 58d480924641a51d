/**
 * A small typed client of the admin API (API-2) for `shomei admin …`: fetch, the route schemas'
 * types, and refusals as `AdminApiError` with the server's stable `error` code. The HTTP is the CSC
 * client's transport (src/client): the one TLS-or-loopback rule, timeout, redirect refusal and
 * error reading in the codebase. Passwords and tokens travel over TLS only; plain HTTP is accepted
 * for a loopback address (development).
 */
import { CscError, CscTransportError, checkBaseUrl, createTransport, type Transport } from '../../client/index.js';
import type { EnrolmentCodeResult, LoginResult, Registration, UserRecord, VerifyResult } from './schemas.js';

const BASE_PATH = '/admin/v1';

/** What `shomei admin login` keeps (0600): enough to call the API until the token expires. */
export interface AdminSession {
  readonly server: string;
  readonly username: string;
  readonly accessToken: string;
  /** Milliseconds since the Unix epoch. */
  readonly expiresAt: number;
  readonly level: number;
}

/** The server refused: HTTP status and the catalogue's `error` / `error_description`. */
export class AdminApiError extends Error {
  override name = 'AdminApiError';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

/** The server's base URL, refused unless it is HTTPS or loopback HTTP (AUTH-2: TLS only). */
export function checkServerUrl(server: string): string {
  try {
    return checkBaseUrl(server);
  } catch (e) {
    if (!(e instanceof CscTransportError)) throw e;
    const insecure = !e.message.startsWith('not a URL');
    throw new AdminApiError(0, insecure ? 'insecure_server' : 'invalid_server', e.message);
  }
}

export class AdminClient {
  private readonly server: string;
  private readonly transport: Transport;

  constructor(
    server: string,
    private readonly token?: string,
  ) {
    this.server = checkServerUrl(server);
    this.transport = createTransport({ baseUrl: this.server });
  }

  /** POST /admin/v1/login (level 3: password + TOTP); the client for the new session. */
  static async login(server: string, username: string, password: string, totp: string): Promise<AdminSession> {
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const client = new AdminClient(server);
    const r = await client.call<LoginResult>('POST', '/login', { totp }, { authorization: basic });
    return {
      server: client.server,
      username,
      accessToken: r.access_token,
      expiresAt: Date.now() + r.expires_in * 1000,
      level: r.level,
    };
  }

  /**
   * POST /admin/v1/login/token (level 4): the code the RSSP's page sent to this process's loopback
   * address after a security-key sign-in, with the PKCE verifier only this process holds.
   */
  static async loginWithCode(
    server: string,
    code: string,
    codeVerifier: string,
    redirectUri: string,
  ): Promise<AdminSession> {
    const client = new AdminClient(server);
    const r = await client.call<LoginResult>('POST', '/login/token', {
      code,
      code_verifier: codeVerifier,
      redirect_uri: redirectUri,
    });
    return {
      server: client.server,
      username: r.username ?? '',
      accessToken: r.access_token,
      expiresAt: Date.now() + r.expires_in * 1000,
      level: r.level,
    };
  }

  /** Where `shomei admin login --security-key` sends the browser (web/rssp, oauth/first-party.ts). */
  signInUrl(redirectUri: string, codeChallenge: string, state: string): string {
    const q = new URLSearchParams({
      redirect_uri: redirectUri,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      state,
    });
    return `${this.server}/rssp/admin?${q}`;
  }

  static of(session: AdminSession): AdminClient {
    return new AdminClient(session.server, session.accessToken);
  }

  async listUsers(username?: string): Promise<UserRecord[]> {
    const q = username === undefined ? '' : `?username=${encodeURIComponent(username)}`;
    return (await this.call<{ users: UserRecord[] }>('GET', `/users${q}`)).users;
  }

  registerUser(registration: Registration): Promise<UserRecord> {
    return this.call('POST', '/users', registration);
  }

  /** A user by username, else by id (the local CLI's rule). */
  async findUser(ref: string): Promise<UserRecord> {
    const [byName] = await this.listUsers(ref);
    return byName ?? (await this.listUsers()).find((u) => u.id === ref) ?? this.unknownUser();
  }

  enrolmentCode(userId: string): Promise<EnrolmentCodeResult> {
    return this.call('POST', `/users/${encodeURIComponent(userId)}/enrolment-code`, {});
  }

  verifyAudit(key?: string): Promise<VerifyResult> {
    return this.call('POST', '/audit/verify', key === undefined ? {} : { key });
  }

  private unknownUser(): never {
    throw new AdminApiError(404, 'invalid_request', 'Unknown user');
  }

  /** The server's refusals as AdminApiError; transport failures (unreachable, timeout) as CscTransportError. */
  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown>,
    headers: { authorization?: string } = {},
  ): Promise<T> {
    const authorization = headers.authorization ?? (this.token === undefined ? undefined : `Bearer ${this.token}`);
    try {
      const json = await this.transport.request(
        method,
        `${this.server}${BASE_PATH}${path}`,
        `${method} ${path}`,
        body,
        {
          ...(authorization ? { authorization } : {}),
        },
      );
      return json as T;
    } catch (e) {
      if (!(e instanceof CscError)) throw e;
      const error = e.error === 'http_error' ? `http_${e.status}` : e.error;
      throw new AdminApiError(e.status, error, e.error_description || `HTTP ${e.status}`);
    }
  }
}
