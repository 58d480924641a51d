/**
 * The restore drill of issue 4 (BACKUP-1, BACKUP-2): credentials sign → `backup create` 3-of-5 →
 * the data directory is wiped → `backup restore` with 3 shares → the same credentials sign and the
 * log verifies; with 2 shares the restore fails clearly. Signer backups open with the passphrase
 * and not without.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeSource, verifyLog } from '../src/audit/index.js';
import { backupSigner, createBackup, restoreBackup, restoreSigner } from '../src/backup/index.js';
import { signOnce, startApp } from './support/app.js';

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
    await t.close();

    rmSync(dataDir, { recursive: true, force: true });
    await expect(
      restoreBackup(out, backup.shares.slice(0, 2), dataDir, { force: false, now: new Date() }),
    ).rejects.toThrow();
    expect(() => readdirSync(dataDir)).toThrow(); // nothing half-restored

    await restoreBackup(out, [backup.shares[4], backup.shares[1], backup.shares[3]] as string[], dataDir, {
      force: false,
      now: new Date(),
    });
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
      const sealed = await backupSigner(t.app, 'demo', 'correct horse battery staple', 'admin:test');
      expect(sealed).not.toContain(t.demo.pin);
      await expect(restoreSigner(t.app, sealed, 'wrong passphrase entirely', 'admin:test')).rejects.toMatchObject({
        code: 'backup_invalid',
      });
      const ids = await restoreSigner(t.app, sealed, 'correct horse battery staple', 'admin:test');
      expect(ids).toHaveLength(3);
      const restoredP256 = ids[2] as string;
      expect(await signOnce(t, restoredP256)).toBe(200);
      writeFileSync(join(work, 'signer.backup'), sealed);
    } finally {
      await t.close();
    }
  });
});
