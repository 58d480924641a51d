/**
 * The bytes of a log entry: canonical JSON (sorted keys, no whitespace — the RFC 8785 rules for the
 * flat values an AuditEvent may hold) of `{ seq, time, ...event }`. The entry carries its own index,
 * so a row moved to another seq no longer matches (LOG-2).
 */
import type { AuditEvent, AuditValue } from './event.js';

export interface LogEntry {
  readonly seq: number;
  readonly time: number;
  readonly event: AuditEvent;
}

/** Field names that would put a secret in the log (LOG-1, pitfall 7). Ids such as `tokenId` are fine. */
const SECRET_FIELD = /^(pin|password|otp|sad|token|access_token|refresh_token|secret|privatekey|private_key|code)$/i;
const RESERVED = new Set(['seq', 'time']);

/** Throws (a programming error, not a client error) if `event` cannot be logged as is. */
export function checkEvent(event: AuditEvent): void {
  for (const [name, value] of Object.entries(event)) {
    if (SECRET_FIELD.test(name)) throw new TypeError(`audit event field "${name}" may hold a secret (LOG-1)`);
    if (RESERVED.has(name)) throw new TypeError(`audit event field "${name}" is reserved by the log`);
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new TypeError(`audit field "${name}" is not finite`);
  }
}

export function encodeEntry(seq: number, time: number, event: AuditEvent): Buffer {
  return Buffer.from(canonicalJson({ ...event, seq, time }), 'utf8');
}

export function decodeEntry(data: Uint8Array): LogEntry {
  const { seq, time, ...event } = JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, AuditValue>;
  if (typeof seq !== 'number' || typeof time !== 'number') throw new Error('entry has no seq or time');
  return { seq, time, event: event as unknown as AuditEvent };
}

/** RFC 8785 for flat objects: keys in UTF-16 code-unit order (JS's default sort), JSON.stringify values. */
function canonicalJson(obj: Record<string, AuditValue | undefined>): string {
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const value = obj[key];
    if (value !== undefined) parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}
