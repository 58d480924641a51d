/** What a valid bearer token proves, whatever factor produced it (password now, OAuth2 later). */
export interface Principal {
  readonly userId: string;
  readonly clientId: string;
  /** One login and its refreshes; tokens and SADs are bound to it (AUTH-2 session hijacking). */
  readonly sessionId: string;
  readonly scope: string;
  /** AUTH-4: the level the session authenticated at (1 password, 3 two factors, 4 WebAuthn UV). */
  readonly level?: number;
}

/** CSC auth/login and oauth2/token output. */
export interface TokenGrant {
  readonly accessToken: string;
  /** Only with rememberMe (csc-api-v2.md §3.2). */
  readonly refreshToken?: string;
  /** Seconds. */
  readonly expiresIn: number;
}
