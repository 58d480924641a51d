/**
 * Which key store the service runs on (SIGN-5): the software key store (the embedded default) or a
 * PKCS#11 token, in this process or with signing spread over child processes.
 *
 * With PKCS#11 every key lives in the token, the log's Ed25519 key too: SoftHSM 2.6 (and PKCS#11
 * v3.0 modules generally) generate and sign with CKM_EC_EDWARDS_KEY_PAIR_GEN / CKM_EDDSA, which the
 * contract suite checks. There is no KEK and no software key store beside it, so nothing secret is
 * kept in the data directory. A module without EdDSA refuses the log key at first start
 * (`unsupported_algorithm`), plainly, rather than silently keeping it in software.
 *
 * Start-up failures become ConfigErrors that name the setting to fix (the CLI prints them on one
 * line); the PIN is never part of a message.
 */
import { type Config, ConfigError } from '../config/index.js';
import { isShomeiError } from '../errors.js';
import type { KeyStore } from '../keys/index.js';
import { createPkcs11KeyStore, createPkcs11ProcessKeyStore } from '../keys/pkcs11/index.js';
import type { Random } from '../platform/index.js';

type Pkcs11Config = Config['keystore']['pkcs11'];

/** Opens the configured key store; `software` builds the embedded one (only called for `software`). */
export async function openKeyStore(
  config: Readonly<Config>,
  random: Random,
  software: () => KeyStore,
): Promise<KeyStore> {
  return config.keystore.kind === 'pkcs11' ? openPkcs11(config.keystore.pkcs11, random) : software();
}

async function openPkcs11(p: Readonly<Pkcs11Config>, random: Random): Promise<KeyStore> {
  const opts = { modulePath: p.module, tokenLabel: p.tokenLabel, pin: p.pin, random, sessions: p.sessions };
  try {
    return p.processes > 0
      ? await createPkcs11ProcessKeyStore({ ...opts, processes: p.processes })
      : await createPkcs11KeyStore(opts);
  } catch (e) {
    throw startError(p, e);
  }
}

function startError(p: Readonly<Pkcs11Config>, e: unknown): unknown {
  if (!isShomeiError(e)) return e;
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  switch (e.code) {
    case 'pkcs11_module_unavailable':
      return new ConfigError(`keystore.pkcs11.module: cannot load the PKCS#11 module ${p.module}${cause}`, {
        cause: e,
      });
    case 'pkcs11_token_not_present':
      return new ConfigError(`keystore.pkcs11.tokenLabel: no token labelled "${p.tokenLabel}" in ${p.module}`, {
        cause: e,
      });
    case 'pkcs11_pin_incorrect':
    case 'pkcs11_pin_locked':
      return new ConfigError(`keystore.pkcs11.pin (SHOMEI_PKCS11_PIN): ${e.message}`, { cause: e });
    default:
      return e;
  }
}
