/**
 * Configuration: defaults ← JSON file ← SHOMEI_* environment, validated once at start and frozen.
 * Insecure settings are reported as loud warnings (DEP-3).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { Value } from 'typebox/value';
import { type Config, ConfigSchema } from './schema.js';

export type { Config } from './schema.js';
export { ConfigSchema } from './schema.js';

type Json = Record<string, unknown>;

/** Environment variables understood directly (others: SHOMEI_SECTION__KEY, e.g. SHOMEI_AUTH__MAX_FAILURES). */
const ENV_PATHS: Record<string, string[]> = {
  SHOMEI_PORT: ['http', 'port'],
  SHOMEI_HOST: ['http', 'host'],
  SHOMEI_PUBLIC_URL: ['http', 'publicUrl'],
  SHOMEI_TLS_CERT: ['http', 'tlsCert'],
  SHOMEI_TLS_KEY: ['http', 'tlsKey'],
  SHOMEI_DATA_DIR: ['dataDir'],
  SHOMEI_DATABASE_URL: ['databaseUrl'],
  SHOMEI_MODE: ['mode'],
  SHOMEI_LOG_LEVEL: ['logLevel'],
  SHOMEI_KEK: ['keystore', 'kek'],
  SHOMEI_KEK_NEXT: ['keystore', 'kekNext'],
  SHOMEI_WORKERS: ['keystore', 'workers'],
  SHOMEI_KEYSTORE: ['keystore', 'kind'],
  SHOMEI_PKCS11_URI: ['keystore', 'pkcs11', 'uri'],
  SHOMEI_PKCS11_MODULE: ['keystore', 'pkcs11', 'module'],
  SHOMEI_PKCS11_TOKEN: ['keystore', 'pkcs11', 'tokenLabel'],
  SHOMEI_PKCS11_PIN: ['keystore', 'pkcs11', 'pin'],
};

const camel = (s: string) => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1] as string] = value;
}

function envOverrides(env: NodeJS.ProcessEnv): Json {
  const out: Json = {};
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || !name.startsWith('SHOMEI_')) continue;
    const path = ENV_PATHS[name] ?? (name.includes('__') ? name.slice(7).split('__').map(camel) : undefined);
    if (path) setPath(out, path, raw);
  }
  return out;
}

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' ? merge(b as Json, v as Json) : v;
  }
  return out;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: Json;
}

/** Builds the frozen configuration; throws ConfigError with every problem listed. */
export function loadConfig(opts: LoadOptions = {}): Readonly<Config> {
  const env = opts.env ?? process.env;
  let fromFile: Json = {};
  const file = opts.file ?? env.SHOMEI_CONFIG;
  if (file) {
    if (!existsSync(file)) throw new ConfigError(`configuration file not found: ${file}`);
    fromFile = JSON.parse(readFileSync(file, 'utf8')) as Json;
  }
  const merged = merge(merge(fromFile, envOverrides(env)), opts.overrides ?? {});
  return parseConfig(merged);
}

export function parseConfig(input: Json): Readonly<Config> {
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, structuredClone(input)));
  const schemaErrors = [...Value.Errors(ConfigSchema, withDefaults)];
  const errors = schemaErrors.length > 0 ? schemaErrors : pkcs11Problems(withDefaults as Config);
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.instancePath || '/'}: ${e.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const config = withDefaults as Config;
  config.dataDir = resolve(config.dataDir);
  return deepFreeze(config);
}

/** SIGN-5: a PKCS#11 key store needs all three; the PIN is named, never shown. */
function pkcs11Problems(c: Config): { instancePath: string; message: string }[] {
  if (c.keystore.kind !== 'pkcs11') return [];
  const p = c.keystore.pkcs11;
  // A URI is resolved (and its parts checked) where the key store opens: bootstrap/keystore.ts.
  if (p.uri !== '')
    return p.uri.startsWith('pkcs11:')
      ? []
      : [{ instancePath: '/keystore/pkcs11/uri', message: 'must start with pkcs11: (RFC 7512)' }];
  const missing = (field: string, env: string) => ({
    instancePath: `/keystore/pkcs11/${field}`,
    message: `required when keystore.kind is pkcs11 (or set ${env})`,
  });
  return [
    ...(p.module === '' ? [missing('module', 'SHOMEI_PKCS11_MODULE')] : []),
    ...(p.tokenLabel === '' ? [missing('tokenLabel', 'SHOMEI_PKCS11_TOKEN')] : []),
    ...(p.pin === '' ? [missing('pin', 'SHOMEI_PKCS11_PIN')] : []),
  ];
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

export const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

export const tlsEnabled = (c: Config) => c.http.tlsCert !== '' && c.http.tlsKey !== '';

/** Insecure settings, each as one loud line (STYLE.md 9). Refusals are separate: see `refusals`. */
export function insecureSettings(c: Config): string[] {
  const w: string[] = [];
  if (!tlsEnabled(c)) w.push('HTTP without TLS: acceptable on loopback for development only (AUTH-2: TLS only).');
  if (c.mode === 'production' && c.keystore.kind === 'software' && c.keystore.kek === '')
    w.push(
      'production mode with the key-encryption key in a file beside the data: keep it in the environment or an HSM.',
    );
  if (c.mode === 'production' && c.auth.factorKey === '')
    w.push(
      'production mode with the factor key (TOTP secrets, OTP hashes) in a file beside the data: keep it in the environment (SHOMEI_AUTH__FACTOR_KEY); instances sharing a database must share it.',
    );
  if (c.mode === 'production' && c.databaseUrl === '')
    w.push('production mode on the embedded SQLite database: no scale-out, back it up.');
  if (c.mode === 'production' && c.admin.requiredLevel === undefined)
    w.push(
      'production mode without admin.requiredLevel: the admin API accepts password + TOTP (level 3); set 4 — recommended — to accept only security-key sign-ins (`shomei admin login --security-key`), or 3 to accept level 3 knowingly.',
    );
  if (c.auth.scryptLogN < 14) w.push(`scrypt cost 2^${c.auth.scryptLogN} is below the recommended 2^15.`);
  if (c.mode === 'production' && c.keystore.kind === 'pkcs11' && /softhsm/i.test(c.keystore.pkcs11.module))
    w.push('production mode on SoftHSM: a software token, not a certified module (SIGN-5).');
  if (c.signing.allowEd25519) w.push('Ed25519 is allowed: it is not on the CRYPTREC list (SIGN-4).');
  if (c.http.trustProxy) w.push('trustProxy is on: client addresses come from X-Forwarded-For.');
  return w;
}

/** Settings the service refuses to start with. */
export function refusals(c: Config): string[] {
  const r: string[] = [];
  if (!tlsEnabled(c) && !isLoopback(c.http.host))
    r.push(`plain HTTP on a non-loopback address (${c.http.host}); set http.tlsCert and http.tlsKey.`);
  if ((c.http.tlsCert === '') !== (c.http.tlsKey === '')) r.push('http.tlsCert and http.tlsKey go together.');
  return r;
}

/** admin.requiredLevel as it applies: unset is level 3 (see insecureSettings). */
export const adminRequiredLevel = (c: Config): 3 | 4 => c.admin.requiredLevel ?? 3;

export const sqlitePath = (c: Config) => resolve(c.dataDir, 'shomei.db');
export const databaseUrl = (c: Config) => c.databaseUrl || sqlitePath(c);
