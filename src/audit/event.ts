/**
 * What other modules report to the signing log (LOG-1): one narrow function, `append`. The log
 * knows nothing of HTTP or of the modules that call it (STYLE.md 15).
 */

export type AuditValue = string | number | boolean | null | readonly string[];

export interface AuditEvent {
  /** Dotted event type, e.g. 'auth.login', 'sad.issue', 'signature.create', 'user.register'. */
  readonly type: string;
  /** Who acted: a user id, 'admin:<name>', 'system', or 'anonymous'. */
  readonly actor: string;
  readonly outcome: 'success' | 'failure';
  /** Further facts. Never secrets: PINs, passwords, OTPs, tokens, SADs, key material (LOG-1, pitfall 7). */
  readonly [field: string]: AuditValue | undefined;
}

export interface AuditReceipt {
  /** Index of the entry in the log (leaf number). */
  readonly seq: number;
  /** RFC 6962 leaf hash, hex. */
  readonly leafHash: string;
}

/** The one function every other module uses. Resolves only once the entry is durable (LOG-3). */
export interface AuditSink {
  append(event: AuditEvent): Promise<AuditReceipt>;
}
