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
