import type { Config } from '../config/index.js';
import { ConfigError, tlsEnabled } from '../config/index.js';

/** The base URL clients reach this service at: `http.publicUrl`, or derived from host and port. */
export function publicUrl(c: Readonly<Config>): string {
  if (c.http.publicUrl) return c.http.publicUrl.replace(/\/+$/, '');
  const host = c.http.host === '0.0.0.0' || c.http.host === '::' ? 'localhost' : c.http.host;
  const h = host.includes(':') ? `[${host}]` : host;
  return `${tlsEnabled(c) ? 'https' : 'http'}://${h}:${c.http.port}`;
}

/**
 * WebAuthn's relying party (AUTH-2 phishing): the origin the pages are served from and the RP ID
 * assertions are scoped to. The RP ID must be the public host or a parent domain of it (WebAuthn
 * L2 §5.1.3); a wrong one is refused at start rather than at the first ceremony. Browsers refuse IP
 * addresses as RP IDs: to use security keys locally, set http.publicUrl to http://localhost:<port>.
 */
export function webauthnRelyingParty(c: Readonly<Config>): { rpId: string; origins: string[] } {
  const url = new URL(publicUrl(c));
  const host = url.hostname;
  const rpId = c.auth.webauthn.rpId || host;
  if (host !== rpId && !host.endsWith(`.${rpId}`))
    throw new ConfigError(`auth.webauthn.rpId "${rpId}" is not ${host} or a parent domain of it`);
  const origins = [url.origin, ...c.auth.webauthn.extraOrigins.map((o) => new URL(o).origin)];
  return { rpId, origins };
}
