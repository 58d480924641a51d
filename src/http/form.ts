/** application/x-www-form-urlencoded bodies (RFC 6749 §3.2, HTML forms): UTF-8, no parameter twice. */
import { ShomeiError } from '../errors.js';
import type { HttpApp } from './server.js';

export function parseForm(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (Object.hasOwn(out, k)) throw new ShomeiError('oauth_duplicate_parameter', { name: k.slice(0, 64) });
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    if (v !== '') out[k] = v;
  }
  return out;
}

/** Registers the form parser on a plugin scope. */
export function acceptForms(app: HttpApp): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}
