/**
 * The restore drill of issue 4 (BACKUP-1, BACKUP-2): credentials sign → `backup create` 3-of-5 →
 * the data directory is wiped → `backup restore` with 3 shares → the same credentials sign and the
 * log verifies; with 2 shares the restore fails clearly. Signer backups open with the passphrase
 * and not without.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeSource, verifyLog } from '../src/audit/index.js';
import { backupSigner, createBackup, restoreBackup, restoreSigner } from '../src/backup/index.js';
import { rotateKek } from '../src/keys/index.js';
import { openStore } from '../src/store/index.js';
import { OIDS, signOnce, startApp } from './support/app.js';

const work = mkdtempSync(join(tmpdir(), 'shomei-drill-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('disaster recovery drill (BACKUP-2)', () => {
  it('BACKUP-2: 3-of-5 restore into a wiped data directory signs with the same credentials; 2 shares fail', async () => {
    const dataDir = join(work, 'data');
    const t = await startApp({ dataDir });
    expect(await signOnce(t, t.demo.credentials.p256)).toBe(200);
    const out = join(work, 'snapshot.bin');
    const backup = await createBackup(t.app, out, 3, 5, 'admin:test');
    expect(backup.shares).toHaveLength(5);
    const demo = t.demo;
    const factorKey = readFileSync(join(dataDir, 'factor-key'));
    await t.close();

    expect(backup.manifest.files.map((f) => f.name)).toContain('factor-key');
    rmSync(dataDir, { recursive: true, force: true });
    await expect(
      restoreBackup(out, backup.shares.slice(0, 2), dataDir, { force: false, now: new Date() }),
    ).rejects.toThrow();
    expect(() => readdirSync(dataDir)).toThrow(); // nothing half-restored

    await restoreBackup(out, [backup.shares[4], backup.shares[1], backup.shares[3]] as string[], dataDir, {
      force: false,
      now: new Date(),
    });
    // TOTP secrets stay usable: the factor key comes back with the database.
    expect(readFileSync(join(dataDir, 'factor-key'))).toEqual(factorKey);
    // The demo helper sets a new password and PIN on the restored signer; the credentials are the same.
    const again = await startApp({ dataDir });
    try {
      expect(again.demo.credentials).toEqual(demo.credentials);
      expect(await signOnce(again, demo.credentials.p256)).toBe(200);
      await again.app.audit.checkpoint();
      const report = await verifyLog(storeSource(again.app.store), again.app.logVerifierKey);
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await again.close();
    }
  });
});

describe('signer backup (BACKUP-1)', () => {
  it('BACKUP-1: opens with the signer passphrase, not without; the restored key signs', async () => {
    const t = await startApp();
    try {
      // A PIN + TOTP credential must not come back PIN-only (AUTH-4).
      await t.app.users.setCredentialFactors(t.demo.credentials.rsa2048, ['PIN', 'TOTP'], 'admin:test');
      const sealed = await backupSigner(t.app, 'demo', 'correct horse battery staple', 'admin:test');
      expect(sealed).not.toContain(t.demo.pin);
      await expect(restoreSigner(t.app, sealed, 'wrong passphrase entirely', 'admin:test')).rejects.toMatchObject({
        code: 'backup_invalid',
      });
      const ids = await restoreSigner(t.app, sealed, 'correct horse battery staple', 'admin:test');
      expect(ids).toHaveLength(3);
      const factors = await Promise.all(ids.map(async (id) => (await t.app.users.getCredential(id)).factors));
      expect(factors).toContainEqual(['PIN', 'TOTP']);
      expect(factors.filter((f) => f.join() === 'PIN')).toHaveLength(2);
      const restoredP256 = ids[2] as string;
      expect(await signOnce(t, restoredP256)).toBe(200);
      writeFileSync(join(work, 'signer.backup'), sealed);
    } finally {
      await t.close();
    }
  });
});

describe('consistent snapshot while signing (BACKUP-2)', () => {
  it('BACKUP-2: a snapshot taken during continuous signing restores to a log that verifies at exactly its size', async () => {
    const dataDir = join(work, 'busy');
    const t = await startApp({ dataDir });
    let signing = true;
    let signed = 0;
    const load = (async () => {
      while (signing) {
        expect(await signOnce(t, t.demo.credentials.p256)).toBe(200);
        signed += 1;
      }
    })();
    while (signed < 3) await new Promise((r) => setTimeout(r, 10));
    const out = join(work, 'busy.snapshot');
    const backup = await createBackup(t.app, out, 2, 3, 'admin:test');
    const during = signed;
    while (signed < during + 3) await new Promise((r) => setTimeout(r, 10));
    signing = false;
    await load;
    await t.close();

    const target = join(work, 'busy-restored');
    const manifest = await restoreBackup(out, backup.shares.slice(1), target, { force: false, now: new Date() });
    const size = Number(manifest.meta.logSize);
    const hashes = async (dir: string) => {
      const store = await openStore({ url: join(dir, 'shomei.db') });
      try {
        const rows = await store.db.selectFrom('audit_leaves').select('leaf_hash').orderBy('seq').execute();
        return rows.map((r) => Buffer.from(r.leaf_hash).toString('hex'));
      } finally {
        await store.close();
      }
    };
    const original = await hashes(dataDir);
    const restored = await hashes(target);
    // The copy is the log at one commit: a prefix of the live log, which went on growing.
    expect(restored).toHaveLength(size);
    expect(original.length).toBeGreaterThan(size);
    expect(restored).toEqual(original.slice(0, size));
    const again = await startApp({ dataDir: target, demo: false });
    try {
      const report = await verifyLog(storeSource(again.app.store), again.app.logVerifierKey);
      expect(report.ok, JSON.stringify(report.problems)).toBe(true);
    } finally {
      await again.close();
    }
  }, 120_000);
});

describe('snapshot during a KEK rotation (BACKUP-2, KEY-1)', () => {
  it('BACKUP-2: a snapshot taken halfway through a KEK rotation carries both KEKs; the restored service signs and can finish the rotation', async () => {
    const dataDir = join(work, 'rotating');
    const t = await startApp({ dataDir });
    const out = join(work, 'rotating.snapshot');
    let backup: Awaited<ReturnType<typeof createBackup>> | undefined;
    try {
      await rotateKek({
        store: t.app.store,
        dataDir,
        random: t.app.platform.random,
        actor: 'admin:test',
        settleMs: 0,
        batchSize: 1,
        onRow: async (n) => {
          if (n === 2) backup = await createBackup(t.app, out, 2, 2, 'admin:test');
        },
      });
    } finally {
      await t.close();
    }
    expect(backup?.manifest.files.map((f) => f.name).sort()).toEqual(['factor-key', 'kek', 'kek.next', 'shomei.db']);

    const target = join(work, 'rotating-restored');
    await restoreBackup(out, backup?.shares ?? [], target, { force: false, now: new Date() });
    const again = await startApp({ dataDir: target });
    try {
      expect(await signOnce(again, again.demo.credentials.p256, OIDS.ecdsaSha256)).toBe(200);
      expect(await signOnce(again, again.demo.credentials.rsa2048, OIDS.sha256WithRSA)).toBe(200);
      const done = await rotateKek({
        store: again.app.store,
        dataDir: target,
        random: again.app.platform.random,
        actor: 'admin:test',
        settleMs: 0,
      });
      expect(done.resumed).toBe(true);
      expect(await signOnce(again, again.demo.credentials.p256)).toBe(200);
    } finally {
      await again.close();
    }
  }, 120_000);
});
