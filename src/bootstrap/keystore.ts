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
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Config, ConfigError } from '../config/index.js';
import { isShomeiError } from '../errors.js';
import type { KeyStore } from '../keys/index.js';
import {
  createPkcs11KeyStore,
  createPkcs11ProcessKeyStore,
  type Pkcs11Uri,
  parsePkcs11Uri,
} from '../keys/pkcs11/index.js';
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

interface Pkcs11Target {
  readonly module: string;
  readonly tokenLabel: string;
  readonly pin: string;
}

/**
 * The module, token and PIN: from `keystore.pkcs11.uri` (RFC 7512: `token`, `module-path`,
 * `pin-source` as a file or `pin-value`) where given, the separate settings filling what it lacks.
 * A URI and a setting that disagree are refused rather than one silently winning.
 */
export function pkcs11Target(p: Readonly<Pkcs11Config>): Pkcs11Target {
  if (p.uri === '') return p;
  let uri: Pkcs11Uri;
  try {
    uri = parsePkcs11Uri(p.uri);
  } catch (e) {
    throw new ConfigError(`keystore.pkcs11.uri: ${(e as Error).message}`, { cause: e });
  }
  const pick = (fromUri: string | undefined, setting: string, name: string): string => {
    if (fromUri && setting && fromUri !== setting) {
      throw new ConfigError(`keystore.pkcs11.uri and keystore.pkcs11.${name} disagree`);
    }
    const value = fromUri || setting;
    if (!value) throw new ConfigError(`keystore.pkcs11.uri: no ${name} (and keystore.pkcs11.${name} is empty)`);
    return value;
  };
  return {
    module: pick(uri.query['module-path'], p.module, 'module'),
    tokenLabel: pick(uri.path.token, p.tokenLabel, 'tokenLabel'),
    pin: pick(uriPin(uri), p.pin, 'pin'),
  };
}

/** RFC 7512 §2.3 pin-source (here: a file, `file:` URI or path) or pin-value. */
function uriPin(uri: Pkcs11Uri): string | undefined {
  const source = uri.query['pin-source'];
  if (source === undefined) return uri.query['pin-value'];
  const path = source.startsWith('file:')
    ? fileURLToPath(source.startsWith('file://') ? source : `file://${source.slice(5)}`)
    : source;
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new ConfigError(`keystore.pkcs11.uri: cannot read pin-source ${path}`, { cause: e });
  }
}

async function openPkcs11(config: Readonly<Pkcs11Config>, random: Random): Promise<KeyStore> {
  const p = { ...config, ...pkcs11Target(config) };
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
