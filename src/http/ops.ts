/**
 * Operations and public log endpoints (DEP-3, LOG-2): health, the log's verifier key and its newest
 * signed checkpoint — what a relying party or auditor fetches to hold the operator to the log.
 */
import { readFileSync } from 'node:fs';
import type { AuditLog } from '../audit/index.js';
import type { Store } from '../store/index.js';
import type { HttpApp } from './server.js';

const LOGO = readFileSync(new URL('../../assets/logo.png', import.meta.url));

export function opsRoutes(app: HttpApp, deps: { audit: AuditLog; store: Store; verifierKey: string }): void {
  // CSC info.logo must be a URI of a PNG/JPEG of at most 256×256 (csc-api-v2.md §3.1).
  app.get('/logo.png', { schema: { hide: true } }, async (_req, reply) =>
    reply.header('Cache-Control', 'public, max-age=86400').type('image/png').send(LOGO),
  );
  app.get('/healthz', { schema: { tags: ['ops'] } }, async (_req, reply) => {
    try {
      await deps.store.db.selectFrom('meta').select('key').limit(1).execute();
      return { status: 'ok' };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });
  app.get('/log/key', { schema: { tags: ['log'] } }, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').send(`${deps.verifierKey}\n`),
  );
  app.get('/log/checkpoint', { schema: { tags: ['log'] } }, async (_req, reply) => {
    const cp = (await deps.audit.latest()) ?? (await deps.audit.checkpoint());
    if (!cp) return reply.status(404).send({ error: 'invalid_request', error_description: 'The log is empty' });
    return reply.type('text/plain; charset=utf-8').send(cp.note);
  });
}
