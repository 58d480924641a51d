/**
 * ⑥ Key backup (BACKUP-1, BACKUP-2): signer backups sealed under the signer's passphrase, and
 * disaster-recovery snapshots whose key is split among custodians.
 */
export { type BackupResult, createBackup, restoreBackup } from './disaster.js';
export { backupSigner, restoreSigner, SIGNER_BACKUP_FORMAT } from './signer.js';
