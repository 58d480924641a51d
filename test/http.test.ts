import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { createHttpServer } from '../src/http/server.js';

describe('HTTP edge (API-3, DEP-3)', () => {
  it('DEP-3: secrets in logged objects are redacted (PIN, SAD, tokens, authData, Authorization)', async () => {
    const lines: string[] = [];
    const app = await createHttpServer({
      config: parseConfig({ logLevel: 'info' }),
      version: 'test',
      logStream: { write: (l) => lines.push(l) },
    });
    app.log.info(
      {
        req: { headers: { authorization: 'Bearer sekret-token' } },
        body: { PIN: '482915', SAD: 'sad-value', authData: [{ id: 'PIN', value: '482915' }], access_token: 'at' },
      },
      'probe',
    );
    await app.close();
    const out = lines.join('');
    expect(out).toContain('probe');
    for (const secret of ['sekret-token', '482915', 'sad-value', '"at"']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('API-3: the OpenAPI document is generated from the route schemas', async () => {
    const { startApp } = await import('./support/app.js');
    const t = await startApp({ demo: false });
    try {
      const r = await t.app.http.inject({ method: 'GET', url: '/openapi.json' });
      expect(r.statusCode).toBe(200);
      const doc = r.json() as { openapi: string; paths: Record<string, { post?: { requestBody?: unknown } }> };
      expect(doc.openapi).toMatch(/^3\./);
      for (const m of ['info', 'auth/login', 'credentials/authorize', 'signatures/signHash']) {
        expect(doc.paths[`/csc/v2/${m}`]?.post?.requestBody, m).toBeDefined();
      }
      const body = JSON.stringify(doc.paths['/csc/v2/signatures/signHash']);
      for (const field of ['credentialID', 'SAD', 'hashes', 'signAlgo', 'signAlgoParams'])
        expect(body).toContain(field);
    } finally {
      await t.close();
    }
  });
});

describe('hostile JSON (DEVELOPERS.md 4)', () => {
  it('API-1: __proto__ and constructor.prototype keys are refused as invalid JSON, never merged', async () => {
    const { startApp } = await import('./support/app.js');
    const t = await startApp({ demo: false });
    try {
      for (const raw of ['{"__proto__":{"credentialID":"x"}}', '{"constructor":{"prototype":{"SAD":"x"}}}']) {
        const r = await t.app.http.inject({
          method: 'POST',
          url: '/csc/v2/info',
          headers: { 'content-type': 'application/json' },
          payload: raw,
        });
        expect(r.statusCode).toBe(400);
        expect(r.json()).toMatchObject({ error: 'invalid_request' });
      }
      expect(({} as Record<string, unknown>).credentialID).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
