import type { Config } from '../config/index.js';
import { tlsEnabled } from '../config/index.js';

/** The base URL clients reach this service at: `http.publicUrl`, or derived from host and port. */
export function publicUrl(c: Readonly<Config>): string {
  if (c.http.publicUrl) return c.http.publicUrl.replace(/\/+$/, '');
  const host = c.http.host === '0.0.0.0' || c.http.host === '::' ? 'localhost' : c.http.host;
  const h = host.includes(':') ? `[${host}]` : host;
  return `${tlsEnabled(c) ? 'https' : 'http'}://${h}:${c.http.port}`;
}
