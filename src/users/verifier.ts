/**
 * Secret verifiers (USER-1): scrypt (RFC 7914) in a self-describing string, so the cost can be raised
 * later and old verifiers re-hashed on the next successful use:
 *   $scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>
 * Node's own scrypt is used (STYLE.md 16: the well-kept library is the platform's).
 */
import { scrypt, timingSafeEqual } from 'node:crypto';
import type { Random } from '../platform/index.js';

const KEY_LEN = 32;
const SALT_LEN = 16;
const R = 8;
const P = 1;
// A corrupt or hostile verifier string must not make us allocate gigabytes.
const MAX_LOG_N = 22;
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

interface Params {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/**
 * At most this many scrypt derivations run at once (each holds 128·N·r bytes: 32 MiB at ln=15).
 * A flood of logins then queues instead of taking the process's memory and every libuv thread —
 * the service keeps signing for everyone else (AUTH-2, DEP-3).
 */
const MAX_CONCURRENT = 2;
let active = 0;
const waiting: Array<() => void> = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  // A finishing derivation hands its slot straight to the next waiter, so the count never overshoots.
  if (active < MAX_CONCURRENT) active += 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  }
}

function derive(secret: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  return limited(() => deriveNow(secret, salt, logN, r, p));
}

function deriveNow(secret: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  // scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is exactly too small at ln=15.
  const maxmem = 256 * N * r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    // NFC so the same password typed on two keyboards verifies (NIST SP 800-63B §5.1.1.2).
    scrypt(secret.normalize('NFC'), salt, KEY_LEN, { N, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function parse(verifier: string): Params | undefined {
  const m = FORMAT.exec(verifier);
  if (!m) return undefined;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (logN < 1 || logN > MAX_LOG_N || r < 1 || p < 1) return undefined;
  return { logN, r, p, salt: Buffer.from(m[4]!, 'base64'), hash: Buffer.from(m[5]!, 'base64') };
}

export async function createVerifier(secret: string, logN: number, random: Random): Promise<string> {
  const salt = random.bytes(SALT_LEN);
  const hash = await derive(secret, salt, logN, R, P);
  return `$scrypt$ln=${logN},r=${R},p=${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Constant-time check of `secret` against a verifier; a malformed verifier never matches. */
export async function verifySecret(verifier: string, secret: string): Promise<boolean> {
  const v = parse(verifier);
  if (!v || v.hash.length !== KEY_LEN) return false;
  const hash = await derive(secret, v.salt, v.logN, v.r, v.p);
  return timingSafeEqual(hash, v.hash);
}

/** True when the verifier was made with weaker parameters than the current policy. */
export function needsRehash(verifier: string, logN: number): boolean {
  const v = parse(verifier);
  return !v || v.logN < logN || v.r !== R || v.p !== P;
}

const DUMMY_SALT = Buffer.alloc(SALT_LEN, 0x5a);

/**
 * Spends the same scrypt work as a real verification and always fails: used when the user is
 * unknown (or locked), so response time does not reveal whether a username exists (AUTH-2).
 */
export async function dummyVerify(secret: string, logN: number): Promise<false> {
  await derive(secret, DUMMY_SALT, logN, R, P);
  return false;
}
