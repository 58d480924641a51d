/** Reads the caller from `Authorization: Bearer …` (csc-api-v2.md §1). */
import type { FastifyRequest } from 'fastify';
import { ShomeiError } from '../errors.js';
import type { Principal } from '../signing/index.js';

export interface BearerAuthenticator {
  authenticate(token: string): Promise<Principal>;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

export function bearerToken(req: FastifyRequest): string {
  const header = req.headers.authorization;
  if (header === undefined || header === '') throw new ShomeiError('invalid_token');
  const m = BEARER.exec(header);
  if (!m?.[1] || m[1].length > 512) throw new ShomeiError('malformed_auth_header');
  return m[1];
}

/**
 * A credential-scoped token (OAuth2 scope=credential) is good for signing with its one credential
 * and nothing else (csc-api-v2.md §1); every service method needs scope=service.
 */
export async function serviceScoped(session: BearerAuthenticator, token: string): Promise<Principal> {
  const principal = await session.authenticate(token);
  if (principal.scope !== 'service') throw new ShomeiError('insufficient_scope');
  return principal;
}

export const serviceCaller = (session: BearerAuthenticator, req: FastifyRequest): Promise<Principal> =>
  serviceScoped(session, bearerToken(req));
