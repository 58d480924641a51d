/**
 * SEAL-1: an organisation's e-seal credential used by named operators with their own
 * authentication, every use logged under the operator's name; nobody else may use it, a natural
 * person's signing credential can have no operators, and removing an operator takes effect at once.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningCredential, credentialAdminDeps, setSealOperator } from '../src/admin/index.js';
import { ACTOR, addUser, authorizeBody, b64, logEvents, OIDS, startApp, type TestApp } from './support/app.js';

describe('SEAL-1: e-seal credentials and their named operators', () => {
  let t: TestApp;
  let org: Awaited<ReturnType<typeof addUser>>;
  let op1: Awaited<ReturnType<typeof addUser>>;
  let op2: Awaited<ReturnType<typeof addUser>>;
  let seal: string;

  beforeAll(async () => {
    t = await startApp();
    org = await addUser(t.app, 'acme-corp');
    op1 = await addUser(t.app, 'operator-one');
    op2 = await addUser(t.app, 'operator-two');
    const c = await createSigningCredential(
      credentialAdminDeps(t.app),
      {
        userId: org.userId,
        keyType: 'EC-P256',
        profile: 'seal',
        subjectDn: 'CN=ACME Corp e-seal,O=ACME Corp,C=JP',
        multisign: 5,
      },
      ACTOR,
    );
    seal = c.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const sealWith = async (who: { userId: string; pin: string }, username: string) => {
    const token = await t.login(username, 'correct horse battery');
    const hash = randomBytes(32);
    const auth = await t.post('credentials/authorize', authorizeBody(seal, who.pin, [hash]), token);
    if (auth.status !== 200) return { auth, token };
    const signed = await t.post(
      'signatures/signHash',
      { credentialID: seal, SAD: auth.json.SAD, hashes: [b64(hash)], signAlgo: OIDS.ecdsaSha256 },
      token,
    );
    return { auth, signed, token };
  };

  it('SEAL-1: a named operator lists the seal and uses it with their own PIN; the use is logged under their name', async () => {
    await setSealOperator(credentialAdminDeps(t.app), seal, op1.userId, true, ACTOR);
    const token = await t.login('operator-one', 'correct horse battery');
    const list = await t.post('credentials/list', {}, token);
    expect(list.json.credentialIDs).toContain(seal);
    const r = await sealWith(op1, 'operator-one');
    expect(r.auth.status, r.auth.text).toBe(200);
    expect(r.signed?.status, r.signed?.text).toBe(200);
    const events = await logEvents(t.app);
    const uses = events.filter((e) => e.type === 'signature.create' && e.actor === op1.userId);
    expect(uses.length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'credential.operator.add' && e.operatorId === op1.userId)).toBe(true);
  });

  it('SEAL-1: someone who is not an operator cannot see or use it (it looks unknown)', async () => {
    const r = await sealWith(op2, 'operator-two');
    expect(r.auth.status).toBe(400);
    expect(r.auth.json.error_description).toBe('Invalid parameter credentialID');
    const list = await t.post('credentials/list', {}, r.token);
    expect(list.json.credentialIDs).not.toContain(seal);
  });

  it("SEAL-1: a natural person's signing credential cannot have operators", async () => {
    await expect(
      setSealOperator(credentialAdminDeps(t.app), op1.credentialId, op2.userId, true, ACTOR),
    ).rejects.toMatchObject({
      code: 'invalid_state',
    });
  });

  it('SEAL-1: removing an operator takes effect at once', async () => {
    await setSealOperator(credentialAdminDeps(t.app), seal, op1.userId, false, ACTOR);
    const r = await sealWith(op1, 'operator-one');
    expect(r.auth.status).toBe(400);
    // The organisation itself still uses its seal.
    const own = await sealWith(org, 'acme-corp');
    expect(own.signed?.status, own.signed?.text).toBe(200);
  });
});
