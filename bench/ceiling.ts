/** The HTTP ceiling (BENCH.md B2): a bare JSON endpoint on the same framework, in its own process. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/ping', async () => ({ ok: true }));
const port = Number(process.argv[2] ?? 0);
await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`);
