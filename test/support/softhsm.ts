/**
 * A throwaway SoftHSM2 token for tests: a temp dir with its own softhsm2.conf, SOFTHSM2_CONF set in
 * this process before the module is loaded (C_Initialize reads it), tokens made with softhsm2-util.
 * Without softhsm2-util the PKCS#11 tests are skipped with a reason, except in CI where they fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { findSlot, type Pkcs11Module } from '../../src/keys/pkcs11/module.js';

export const SOFTHSM_MODULE = process.env.SOFTHSM2_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';
export const SO_PIN = '87654321';
export const USER_PIN = '123456';

export interface SoftHsm {
  readonly dir: string;
  readonly conf: string;
  readonly modulePath: string;
  readonly pin: string;
  cleanup(): void;
}

/** Why SoftHSM cannot be used here, or null when it can; in CI a missing SoftHSM is an error. */
export function softHsmUnavailable(): string | null {
  const util = spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' });
  const reason =
    util.error || util.status !== 0
      ? 'softhsm2-util not found (apt-get install softhsm2)'
      : existsSync(SOFTHSM_MODULE)
        ? null
        : `no PKCS#11 module at ${SOFTHSM_MODULE}`;
  if (reason && process.env.CI) throw new Error(`SoftHSM is required in CI: ${reason}`);
  if (reason) console.warn(`skipping PKCS#11 tests: ${reason}`);
  return reason;
}

/** Creates the tokens (all before the module is first loaded: SoftHSM scans tokens at C_Initialize). */
export function createSoftHsm(labels: readonly string[]): SoftHsm {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-softhsm-'));
  const conf = join(dir, 'softhsm2.conf');
  mkdirSync(join(dir, 'tokens'));
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  for (const label of labels) {
    const args = ['--init-token', '--free', '--label', label, '--so-pin', SO_PIN, '--pin', USER_PIN];
    const r = spawnSync('softhsm2-util', args, { encoding: 'utf8', env: process.env });
    if (r.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${r.stderr}`);
  }
  return {
    dir,
    conf,
    modulePath: SOFTHSM_MODULE,
    pin: USER_PIN,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Looking behind a key store at its token: sessions of our own on the same per-process context (the
 * application is already logged in through the store, v2.40 §2.6.7) and raw attribute reads, which
 * answer the CKR code where the token refuses (CKR_ATTRIBUTE_SENSITIVE for a private key's parts).
 */
export function inspectToken(module: Pkcs11Module, token: string) {
  function withSession<T>(fn: (s: pkcs11js.Handle) => T): T {
    const s = module.p11.C_OpenSession(findSlot(module, token), pkcs11js.CKF_SERIAL_SESSION);
    try {
      return fn(s);
    } finally {
      module.p11.C_CloseSession(s);
    }
  }
  const attribute = (s: pkcs11js.Handle, key: pkcs11js.Handle, type: number): unknown => {
    try {
      return module.p11.C_GetAttributeValue(s, key, [{ type }])[0]?.value;
    } catch (e) {
      return e instanceof pkcs11js.Pkcs11Error ? e.code : e;
    }
  };
  return { withSession, attribute };
}
