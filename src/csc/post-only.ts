/** Every CSC method is POST (csc-api-v2.md §1), in v1 and v2: other verbs get 405, not "unknown method". */
import { ShomeiError } from '../errors.js';
import type { HttpApp } from '../http/server.js';

export function postOnly(app: HttpApp, methods: readonly string[]): void {
  for (const m of methods) {
    app.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url: `/${m}`,
      schema: { hide: true },
      handler: async (_req, reply) => {
        reply.header('Allow', 'POST');
        throw new ShomeiError('method_not_allowed');
      },
    });
  }
}
