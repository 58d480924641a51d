/**
 * How the log entries of one signature are tied together (LOG-4), used to find them (export) and
 * to check them (verify). The signature entry (src/signing/sign-hash.ts) names its `sadId`,
 * `sessionId`, `credentialID`, `keyId` and signer (`actor`); the SAD service logs the same sadId
 * and sessionId (src/auth/sad.ts); the token service logs the sessionId it opened; the login
 * before it has the same user and client; factors name the credential they unlocked; and the
 * credential event that made or renewed the key names the certificate's serial. The export logs
 * itself (EXPORT_EVENT) with the digests of the blobs it bundles, so they are proven like entries.
 */
import type { AuditValue, LogEntry } from '../audit/index.js';
import type { EntryRole } from './bundle.js';

type Fields = Readonly<Record<string, AuditValue | undefined>>;
const f = (e: LogEntry): Fields => e.event as Fields;

/** The export's own log entry: `signatureSeq` and the SHA-256 (hex) of each bundled blob. */
export const EXPORT_EVENT = 'evidence.export';

/** The facts of the signature entry the other entries are checked against. */
export interface SignatureFacts {
  readonly seq: number;
  readonly actor: string;
  readonly sadId: string;
  readonly sessionId: string;
  readonly clientId: string;
  readonly credentialID: string;
  readonly keyId: string;
}

export function signatureFacts(e: LogEntry): SignatureFacts | string {
  const v = f(e);
  if (v.type !== 'signature.create' || v.outcome !== 'success')
    return `a ${String(v.type)} entry, not signature.create`;
  const names = ['actor', 'sadId', 'sessionId', 'clientId', 'credentialID', 'keyId'] as const;
  for (const n of names) if (typeof v[n] !== 'string') return `signature entry has no ${n}`;
  return { seq: e.seq, ...(Object.fromEntries(names.map((n) => [n, v[n]])) as Omit<SignatureFacts, 'seq'>) };
}

/** Context a rule needs beyond the signature: the certificate serial and the anchoring entries' seqs. */
export interface LinkContext {
  readonly sig: SignatureFacts;
  /** Hex serial of the end-entity certificate, as the CA logs it. */
  readonly certificateSerial: string;
  /** seq of the SAD's sad.issue (factors precede it). */
  readonly sadIssueSeq: number;
  /** Smallest seq of the session's entries (the login precedes it). */
  readonly sessionStart: number;
}

const success = (v: Fields) => v.outcome === 'success';
const isAuth = (v: Fields) => typeof v.type === 'string' && v.type.startsWith('auth.');

/** undefined when `e` may stand in `role`; otherwise why not. */
export function checkLink(role: EntryRole, e: LogEntry, c: LinkContext): string | undefined {
  const v = f(e);
  const { sig } = c;
  const before = (seq: number, what: string) => (e.seq < seq ? undefined : `is not before ${what}`);
  switch (role) {
    case 'signature':
      return e.seq === sig.seq ? undefined : 'is not the signature entry';
    case 'sad':
      if (v.sadId !== sig.sadId) return `names SAD ${String(v.sadId)}, the signature ${sig.sadId}`;
      if (v.credentialId !== sig.credentialID || v.sessionId !== sig.sessionId || v.userId !== sig.actor)
        return "does not name the signature's credential, session and user";
      return before(sig.seq, 'the signature');
    case 'session':
      if (!isAuth(v) || v.sessionId !== sig.sessionId) return "is not an auth event of the signature's session";
      return before(sig.seq, 'the signature');
    case 'login':
      if (v.type !== 'auth.login' || !success(v)) return 'is not a successful auth.login';
      if (v.userId !== sig.actor || v.clientId !== sig.clientId) return "is not the signer's login with this client";
      return before(c.sessionStart, 'the session it opened');
    case 'factor':
      // A user-level factor (the PIN) names no credential.
      if (
        !isAuth(v) ||
        !success(v) ||
        v.userId !== sig.actor ||
        ![sig.credentialID, null].includes(v.credentialId as string)
      )
        return "is not a successful authentication of the signer for the signature's credential";
      return before(c.sadIssueSeq, 'the SAD it unlocked');
    case 'export':
      if (v.type !== EXPORT_EVENT || v.signatureSeq !== sig.seq) return 'is not the export entry of this signature';
      return e.seq > sig.seq ? undefined : 'is not after the signature';
    case 'credential':
      if (typeof v.type !== 'string' || !v.type.startsWith('credential.') || !success(v))
        return 'is not a successful credential event';
      if (v.credentialID !== sig.credentialID || v.keyId !== sig.keyId)
        return "does not name the signature's credential and key";
      if (v.certificateSerial !== c.certificateSerial) return 'names another certificate serial than certificates[0]';
      return before(sig.seq, 'the signature');
  }
}
