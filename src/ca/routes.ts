/**
 * The CA's public repository, minimal for now (CA-3 grows with the CA issue): the root certificate
 * at the caIssuers URL that issued certificates carry (RFC 5280 §4.2.2.1: DER, application/pkix-cert).
 */
import type { HttpApp } from '../http/server.js';
import type { LocalCa } from './local-ca.js';

export function caRoutes(app: HttpApp, ca: LocalCa): void {
  app.get('/ca/root.der', { schema: { tags: ['repository'] } }, async (_req, reply) => {
    const root = await ca.ensure();
    return reply.header('Cache-Control', 'public, max-age=3600').type('application/pkix-cert').send(root.certificate);
  });
}
