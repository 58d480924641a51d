/** Shared set-up of the audit suites: a log over a test store, with a fresh Ed25519 log key. */
import { generateKeyPairSync } from 'node:crypto';
import {
  type AuditLog,
  type AuditLogOptions,
  createAuditLog,
  ed25519NoteSigner,
  type NoteSigner,
} from '../src/audit/index.js';
import { type Clock, manualClock } from '../src/platform/index.js';
import type { Store } from '../src/store/index.js';

export const ORIGIN = 'shomei.test/log';

export function testSigner(name = ORIGIN): NoteSigner {
  return ed25519NoteSigner(name, generateKeyPairSync('ed25519').privateKey);
}

export function testLog(
  store: Store,
  opts: Partial<AuditLogOptions> & { clock?: Clock } = {},
): AuditLog & { signer: NoteSigner } {
  const signer = opts.signer ?? testSigner();
  const log = createAuditLog({ store, clock: manualClock(), signer, origin: ORIGIN, batchMaxDelayMs: 1, ...opts });
  return Object.assign(log, { signer });
}

export const event = (i: number) => ({
  type: 'signature.create',
  actor: `user-${i % 7}`,
  outcome: 'success' as const,
  n: i,
});
