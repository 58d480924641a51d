/**
 * AUTH-3 / AUTH-5 over HTTP: a SAD is bound to one credential, one caller, its exact hashes, a
 * count and an expiry (csc-api-v2.md §9 pitfalls 1, 2). Every substitution and every reuse is
 * refused with a clear CSC error and logged (LOG-1). The count holds under concurrency on SQLite
 * and across two instances on one PostgreSQL (DEP-2).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, systemRandom } from '../src/platform/index.js';
import {
  addCredential,
  addUser,
  authorizeBody,
  b64,
  countRows,
  httpPost,
  logEvents,
  newKek,
  OIDS,
  type Reply,
  startApp,
  type TestApp,
} from './support/app.js';
import { postgresAvailable, postgresBackend } from './support/stores.js';

const SAD_TTL = 60;
const digest = () => randomBytes(32);

function expectRefusal(r: Reply, status: number, error: string, description: string | RegExp): void {
  expect(r.status, r.text).toBe(status);
  expect(r.json.error).toBe(error);
  if (typeof description === 'string') expect(r.json.error_description).toBe(description);
  else expect(r.json.error_description).toMatch(description);
}

describe('AUTH-3, AUTH-5: SAD bindings over HTTP (SQLite)', () => {
  const clock = manualClock(Date.now());
  let t: TestApp;
  let bob: Awaited<ReturnType<typeof addUser>>;
  let bobToken: string;
  let scal2: string;

  beforeAll(async () => {
    t = await startApp({ platform: { clock, random: systemRandom }, config: { auth: { sadTtlSeconds: SAD_TTL } } });
    bob = await addUser(t.app, 'bob');
    bobToken = await t.login('bob', bob.password);
    const demoUser = await t.app.users.findByUsername('demo');
    scal2 = await addCredential(t.app, demoUser!.id, { scal: '2', multisign: 5 });
  });
  afterAll(async () => {
    await t?.close();
  });

  const ec = () => t.demo.credentials.p256;
  const authorize = async (hashes: Buffer[], credentialID = ec(), token = t.token, pin = t.demo.pin) => {
    const r = await t.post('credentials/authorize', authorizeBody(credentialID, pin, hashes), token);
    expect(r.status, r.text).toBe(200);
    return r.json.SAD as string;
  };
  const sign = (
    SAD: string,
    hashes: Buffer[],
    credentialID = ec(),
    token = t.token,
    signAlgo: string = OIDS.ecdsaSha256,
  ) => t.post('signatures/signHash', { credentialID, SAD, hashes: hashes.map(b64), signAlgo }, token);

  /** The refusal events logged since `from` (seq), by type and reason. */
  async function refusalsSince(from: number) {
    const events = await logEvents(t.app);
    return events.filter((e) => e.seq >= from && (e.type === 'sad.refused' || e.type === 'signature.refused'));
  }
  const nextSeq = async () => {
    await t.app.audit.flush();
    return countRows(t.app, 'audit_leaves');
  };
  const remaining = async (credentialId: string) =>
    (
      await t.app.store.db.selectFrom('sads').select('remaining').where('credential_id', '=', credentialId).execute()
    ).map((r) => Number(r.remaining));

  it('AUTH-3: a spent SAD is refused and the refusal is logged (sad.refused)', async () => {
    const h = digest();
    const sad = await authorize([h]);
    expect((await sign(sad, [h])).status).toBe(200);
    const from = await nextSeq();
    const again = await sign(sad, [h]);
    expectRefusal(again, 400, 'invalid_request', 'The SAD has no signatures left');
    const logged = await refusalsSince(from);
    expect(logged).toEqual([expect.objectContaining({ type: 'sad.refused', reason: 'sad_spent', outcome: 'failure' })]);
  });

  it('AUTH-3, AUTH-5: an expired SAD is refused with "SAD expired" and logged', async () => {
    const h = digest();
    const sad = await authorize([h]);
    clock.advance((SAD_TTL + 1) * 1000);
    const from = await nextSeq();
    const r = await sign(sad, [h]);
    expectRefusal(r, 400, 'invalid_request', 'SAD expired');
    expect(await refusalsSince(from)).toEqual([
      expect.objectContaining({ type: 'sad.refused', reason: 'sad_expired' }),
    ]);
  });

  it('AUTH-3: a SAD just inside its lifetime still works', async () => {
    const h = digest();
    const sad = await authorize([h]);
    clock.advance((SAD_TTL - 1) * 1000);
    expect((await sign(sad, [h])).status).toBe(200);
  });

  it("AUTH-3: another user's SAD is refused (as an unknown SAD) and logged", async () => {
    const h = digest();
    const bobSad = await authorize([h], bob.credentialId, bobToken, bob.pin);
    // With the caller's own credential: the SAD is not theirs, it reads as unknown.
    let from = await nextSeq();
    const own = await sign(bobSad, [h]);
    expectRefusal(own, 400, 'invalid_request', 'Invalid parameter SAD');
    expect(await refusalsSince(from)).toEqual([
      expect.objectContaining({ type: 'sad.refused', reason: 'invalid_sad' }),
    ]);
    // With bob's credential: the credential is not the caller's, it reads as unknown.
    from = await nextSeq();
    const theirs = await sign(bobSad, [h], bob.credentialId);
    expectRefusal(theirs, 400, 'invalid_request', 'Invalid parameter credentialID');
    expect(await refusalsSince(from)).toEqual([
      expect.objectContaining({ type: 'signature.refused', reason: 'invalid_credential' }),
    ]);
    // Bob's SAD is untouched by the attempts: bob can still use it.
    expect((await sign(bobSad, [h], bob.credentialId, bobToken)).status).toBe(200);
  });

  it('AUTH-3: a SAD for credential A used with credential B is refused, logged, and A keeps its count', async () => {
    const h = digest();
    const sad = await authorize([h], t.demo.credentials.rsa2048);
    const from = await nextSeq();
    const r = await sign(sad, [h], ec());
    expectRefusal(r, 400, 'invalid_request', 'Invalid parameter SAD');
    expect(await refusalsSince(from)).toEqual([
      expect.objectContaining({ type: 'sad.refused', reason: 'invalid_sad' }),
    ]);
    expect((await sign(sad, [h], t.demo.credentials.rsa2048, t.token, OIDS.sha256WithRSA)).status).toBe(200);
  });

  it('AUTH-3: a hash not in the SAD is refused, logged, and spends nothing', async () => {
    const h = digest();
    const sad = await authorize([h]);
    const from = await nextSeq();
    const r = await sign(sad, [digest()]);
    expectRefusal(r, 400, 'invalid_request', 'Hash is not authorized by the SAD');
    expect(await refusalsSince(from)).toEqual([
      expect.objectContaining({ type: 'sad.refused', reason: 'hash_not_authorized' }),
    ]);
    expect((await sign(sad, [h])).status).toBe(200);
  });

  it('AUTH-3: the same hash twice when authorised once is refused (pitfall 2) and the whole call rolls back', async () => {
    const [h1, h2] = [digest(), digest()] as [Buffer, Buffer];
    const sad = await authorize([h1, h2]);
    const from = await nextSeq();
    const r = await sign(sad, [h1, h1]);
    expectRefusal(r, 400, 'invalid_request', 'Hash is not authorized by the SAD');
    expect(await refusalsSince(from)).toEqual([
      expect.objectContaining({ type: 'sad.refused', reason: 'hash_not_authorized' }),
    ]);
    const ok = await sign(sad, [h2, h1]);
    expect(ok.status).toBe(200);
    expect(ok.json.signatures).toHaveLength(2);
  });

  it('AUTH-3: a hash authorised twice may be signed twice, not three times', async () => {
    const h = digest();
    const sad = await authorize([h, h]);
    expect((await sign(sad, [h])).status).toBe(200);
    expect((await sign(sad, [h])).status).toBe(200);
    expectRefusal(await sign(sad, [h]), 400, 'invalid_request', 'The SAD has no signatures left');
  });

  it('AUTH-5: a SCAL1 count SAD (hashes omitted) signs up to its count and refuses more', async () => {
    const r = await t.post(
      'credentials/authorize',
      { credentialID: ec(), numSignatures: 2, authData: [{ id: 'PIN', value: t.demo.pin }] },
      t.token,
    );
    expect(r.status).toBe(200);
    const sad = r.json.SAD as string;
    const from = await nextSeq();
    expectRefusal(
      await sign(sad, [digest(), digest(), digest()]),
      400,
      'invalid_request',
      'Numbers of signatures is too high',
    );
    expect(await refusalsSince(from)).toEqual([
      expect.objectContaining({ type: 'sad.refused', reason: 'too_many_signatures' }),
    ]);
    expect((await sign(sad, [digest(), digest()])).status).toBe(200);
    expectRefusal(await sign(sad, [digest()]), 400, 'invalid_request', 'The SAD has no signatures left');
  });

  it('AUTH-3: SCAL2 needs the hashes at authorisation and signs nothing else', async () => {
    const noHashes = await t.post(
      'credentials/authorize',
      { credentialID: scal2, numSignatures: 1, authData: [{ id: 'PIN', value: t.demo.pin }] },
      t.token,
    );
    expectRefusal(noHashes, 400, 'invalid_request', 'Missing (or invalid type) array parameter hashes');
    const h = digest();
    const sad = await authorize([h], scal2);
    expectRefusal(await sign(sad, [digest()], scal2), 400, 'invalid_request', 'Hash is not authorized by the SAD');
    expect((await sign(sad, [h], scal2)).status).toBe(200);
  });

  it('AUTH-3: a garbage SAD and a missing SAD are refused with 4xx and logged', async () => {
    const from = await nextSeq();
    expectRefusal(await sign('not-a-sad', [digest()]), 400, 'invalid_request', 'Invalid parameter SAD');
    const missing = await t.post(
      'signatures/signHash',
      { credentialID: ec(), hashes: [b64(digest())], signAlgo: OIDS.ecdsaSha256 },
      t.token,
    );
    expectRefusal(missing, 400, 'invalid_request', 'Missing (or invalid type) string parameter SAD');
    const logged = await refusalsSince(from);
    expect(logged.map((e) => `${e.type}:${e.reason}`)).toEqual([
      'sad.refused:invalid_sad',
      'signature.refused:missing_string',
    ]);
  });

  it("AUTH-3: another user's bearer token cannot spend the demo's SAD on the demo's credential", async () => {
    const h = digest();
    const sad = await authorize([h]);
    const r = await sign(sad, [h], ec(), bobToken);
    expectRefusal(r, 400, 'invalid_request', 'Invalid parameter credentialID');
    expect((await sign(sad, [h])).status).toBe(200);
  });

  it('AUTH-3: a SAD is bound to the session that obtained it (a new login cannot spend it)', async () => {
    const h = digest();
    const sad = await authorize([h]);
    const other = await t.login('demo', t.demo.password);
    const from = await nextSeq();
    expectRefusal(await sign(sad, [h], ec(), other), 400, 'invalid_request', 'Invalid parameter SAD');
    expect(await refusalsSince(from)).toEqual([
      expect.objectContaining({ type: 'sad.refused', reason: 'invalid_sad' }),
    ]);
    expect((await sign(sad, [h])).status).toBe(200);
  });

  it('AUTH-3: a count SAD authorised for SHA-256 does not sign SHA-384 digests, and is not spent by trying', async () => {
    const r = await t.post(
      'credentials/authorize',
      {
        credentialID: ec(),
        numSignatures: 1,
        hashAlgorithmOID: OIDS.sha256,
        authData: [{ id: 'PIN', value: t.demo.pin }],
      },
      t.token,
    );
    expect(r.status).toBe(200);
    const s = await sign(r.json.SAD, [randomBytes(48)], ec(), t.token, OIDS.ecdsaSha384);
    expect(s.status).toBe(400);
    expect(s.json.error_description).toBe('String parameter hashAlgorithmOID contradicts with signAlgo parameter');
    // The refusal spent nothing: the SAD still signs one SHA-256 digest.
    expect((await sign(r.json.SAD, [randomBytes(32)], ec(), t.token)).status).toBe(200);
  });

  it('AUTH-2: an access token past its lifetime is refused with 401 expired_token', async () => {
    const token = await t.login('demo', t.demo.password);
    expect((await t.post('credentials/list', {}, token)).status).toBe(200);
    clock.advance((t.app.config.auth.accessTokenTtlSeconds + 1) * 1000);
    const r = await t.post('credentials/list', {}, token);
    expect(r.status).toBe(401);
    expect(r.json.error).toBe('expired_token');
    expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
    // The suite's own token expired too: log in again for the tests that follow.
    t = { ...t, token: await t.login('demo', t.demo.password) };
    bobToken = await t.login('bob', bob.password);
  });

  it('AUTH-3, AUTH-5: 20 concurrent signHash calls on a SAD for 5 distinct hashes → exactly 5 signatures, 15 refusals', async () => {
    const hashes = [0, 1, 2, 3, 4].map(() => digest());
    const sad = await authorize(hashes);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(sad, [hashes[i % 5] as Buffer])));
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(5);
    const refused = results.filter((r) => r.status === 400);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r.json.error).toBe('invalid_request');
    // Each hash was signed exactly once.
    const signed = new Set(ok.map((r) => results.indexOf(r) % 5));
    expect(signed.size).toBe(5);
    const events = await logEvents(t.app);
    const row = await t.app.store.db
      .selectFrom('sads')
      .select(['id', 'remaining'])
      .orderBy('created_at', 'desc')
      .execute();
    const sadId = events.filter((e) => e.type === 'sad.issue').at(-1)?.sadId;
    expect(row.find((r) => r.id === sadId)?.remaining).toBe(0);
    expect(events.filter((e) => e.type === 'signature.create' && e.sadId === sadId)).toHaveLength(5);
    expect(events.filter((e) => e.type === 'sad.refused' && e.sadId === sadId)).toHaveLength(15);
  });

  it('AUTH-5: 20 concurrent signHash calls on a SCAL1 count SAD of 5 → exactly 5 signatures, 15 refusals', async () => {
    const r = await t.post(
      'credentials/authorize',
      { credentialID: ec(), numSignatures: 5, authData: [{ id: 'PIN', value: t.demo.pin }] },
      t.token,
    );
    const sad = r.json.SAD as string;
    const results = await Promise.all(Array.from({ length: 20 }, () => sign(sad, [digest()])));
    expect(results.filter((x) => x.status >= 500)).toEqual([]);
    expect(results.filter((x) => x.status === 200)).toHaveLength(5);
    expect(results.filter((x) => x.status === 400)).toHaveLength(15);
    expect(await remaining(ec())).not.toContain(-1);
  });
});

const pg = await postgresAvailable();

describe.skipIf(!pg)('DEP-2, AUTH-3: one SAD across two instances on one PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  let drop: (() => Promise<void>) | undefined;
  let urlA: string;
  let urlB: string;

  beforeAll(async () => {
    const db = await postgresBackend.create();
    drop = db.drop;
    await db.store.close();
    const kek = newKek();
    a = await startApp({ databaseUrl: db.url, kek });
    b = await startApp({ databaseUrl: db.url, kek, demo: false });
    urlA = await a.listen();
    urlB = await b.listen();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await drop?.();
  });

  const run20 = async (sad: string, hashFor: (i: number) => Buffer) =>
    Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        httpPost(
          i % 2 === 0 ? urlA : urlB,
          'signatures/signHash',
          {
            credentialID: a.demo.credentials.p256,
            SAD: sad,
            hashes: [b64(hashFor(i))],
            signAlgo: OIDS.ecdsaSha256,
          },
          a.token,
        ),
      ),
    );

  it('DEP-2: both instances serve the same signer (a token from one works on the other)', async () => {
    const r = await httpPost(urlB, 'credentials/list', {}, a.token);
    expect(r.status).toBe(200);
    expect(r.json.credentialIDs).toContain(a.demo.credentials.p256);
  });

  it('AUTH-3, DEP-2: 20 concurrent calls split over two instances on a SAD for 5 hashes → exactly 5 signatures', async () => {
    const hashes = [0, 1, 2, 3, 4].map(() => digest());
    const auth = await httpPost(
      urlA,
      'credentials/authorize',
      authorizeBody(a.demo.credentials.p256, a.demo.pin, hashes),
      a.token,
    );
    expect(auth.status).toBe(200);
    const results = await run20(auth.json.SAD, (i) => hashes[i % 5] as Buffer);
    expect(results.filter((r) => r.status >= 500).map((r) => r.text)).toEqual([]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 400)).toHaveLength(15);
    const signedIdx = results.flatMap((r, i) => (r.status === 200 ? [i % 5] : []));
    expect(new Set(signedIdx).size).toBe(5);
    await b.app.audit.flush();
    const all = await logEvents(a.app);
    const sadId = all.filter((e) => e.type === 'sad.issue').at(-1)?.sadId;
    expect(all.filter((e) => e.type === 'signature.create' && e.sadId === sadId)).toHaveLength(5);
  });

  it('AUTH-5, DEP-2: 20 concurrent calls over two instances on a SCAL1 count SAD of 5 → exactly 5 signatures', async () => {
    const auth = await httpPost(
      urlB,
      'credentials/authorize',
      { credentialID: a.demo.credentials.p256, numSignatures: 5, authData: [{ id: 'PIN', value: a.demo.pin }] },
      a.token,
    );
    expect(auth.status).toBe(200);
    const results = await run20(auth.json.SAD, () => digest());
    expect(results.filter((r) => r.status >= 500).map((r) => r.text)).toEqual([]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 400)).toHaveLength(15);
  });

  it('LOG-2, DEP-2: the log written by both instances verifies', async () => {
    const { storeSource, verifyLog } = await import('../src/audit/index.js');
    await a.app.audit.flush();
    await b.app.audit.flush();
    await a.app.audit.checkpoint();
    const report = await verifyLog(storeSource(a.app.store), a.app.logVerifierKey);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
