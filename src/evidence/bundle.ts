/**
 * The evidence bundle (LOG-4): one JSON file, versioned, binary values in base64, that lets anyone
 * check a signature's log entries offline. Written compact (no white space) so that every byte is
 * part of some value or name: altering any byte changes a value a check covers, or breaks the
 * structure, which `parseBundle` reports with the JSON path (or byte offset) where it happened.
 */
import { createHash } from 'node:crypto';
import { type Static, Type as T } from 'typebox';
import { Value } from 'typebox/value';

export const EVIDENCE_FORMAT = 'shomei-evidence/v1';

/**
 * Why an entry is in the bundle, i.e. which link rule ties it to the signature entry (links.ts):
 * the signature itself, its SAD's events, its session's events, the login that opened the session,
 * the factors checked for the authorisation, the credential event that names the certificate, and
 * the export's own entry, which holds the SHA-256 of every certificate and revocation blob.
 */
export const ENTRY_ROLES = ['signature', 'sad', 'session', 'login', 'factor', 'credential', 'export'] as const;
export type EntryRole = (typeof ENTRY_ROLES)[number];

const B64 = T.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 1_048_576 });
const SEQ = T.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

const Entry = T.Object(
  {
    role: T.Union([
      T.Literal('signature'),
      T.Literal('sad'),
      T.Literal('session'),
      T.Literal('login'),
      T.Literal('factor'),
      T.Literal('credential'),
      T.Literal('export'),
    ]),
    seq: SEQ,
    /** The leaf data: the entry's canonical JSON bytes (src/audit/entry.ts). */
    data: B64,
    /** RFC 9162 §2.1.3 inclusion proof against `log.checkpoint`. */
    proof: T.Array(B64, { maxItems: 64 }),
  },
  { additionalProperties: false },
);

const Revocation = T.Object(
  {
    /** Index in `certificates` of the certificate this answers for (its issuer is the next one). */
    cert: T.Integer({ minimum: 0, maximum: 15 }),
    der: B64,
  },
  { additionalProperties: false },
);

export const BundleSchema = T.Object(
  {
    format: T.Literal(EVIDENCE_FORMAT),
    /** What was signed, repeated from the signature entry so a reader need not decode it. */
    signature: T.Object(
      {
        seq: SEQ,
        signatureSha256: T.String({ pattern: '^[0-9a-f]{64}$' }),
        hashAlgorithmOID: T.String({ maxLength: 128 }),
        hash: B64,
        documentHash: T.Optional(B64),
      },
      { additionalProperties: false },
    ),
    log: T.Object(
      {
        /** C2SP signed-note verifier key (`name+hash+base64`): informative unless pinned by the verifier. */
        verifierKey: T.String({ maxLength: 1024 }),
        /** The C2SP tlog-checkpoint signed note every entry is proven against. */
        checkpoint: T.String({ maxLength: 65_536 }),
      },
      { additionalProperties: false },
    ),
    entries: T.Array(Entry, { minItems: 1, maxItems: 4096 }),
    /** The credential's certificate chain, DER, end-entity first. */
    certificates: T.Array(B64, { minItems: 1, maxItems: 16 }),
    revocation: T.Object(
      {
        ocsp: T.Array(Revocation, { maxItems: 16 }),
        crls: T.Array(Revocation, { maxItems: 16 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type EvidenceBundle = Static<typeof BundleSchema>;
export type EvidenceEntry = Static<typeof Entry>;

/** Where in the bundle, for a person: `/entries/2/proof/0` → `entries[2].proof[0]`. */
export function jsonPath(pointer: string): string {
  const parts = pointer.split('/').slice(1);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || 'bundle';
}

export type Parsed = { ok: true; bundle: EvidenceBundle } | { ok: false; where: string; message: string };

/** Parses bundle text; a failure names the byte offset (bad JSON) or the JSON path (bad shape). */
export function parseBundle(text: string | Uint8Array): Parsed {
  const json = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : '')?.[1];
    return { ok: false, where: at ? `byte ${at}` : 'bundle', message: 'not valid JSON' };
  }
  const first = Value.Errors(BundleSchema, value)[0];
  if (first) {
    const extra = (first.params as { additionalProperties?: string[] }).additionalProperties?.[0];
    const where = jsonPath(first.instancePath + (extra ? `/${extra}` : ''));
    return { ok: false, where, message: extra ? 'unexpected field' : first.message };
  }
  return { ok: true, bundle: value as EvidenceBundle };
}

/** The bundle as written: compact JSON, fields in schema order. */
export const serializeBundle = (b: EvidenceBundle): string => JSON.stringify(b);

const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text, 'base64')).digest('hex');

/** The digests the export entry logs; verify-entries.ts recomputes them from the bundle. */
export function blobDigests(b: Pick<EvidenceBundle, 'certificates' | 'revocation'>) {
  return {
    certificates: b.certificates.map(sha256),
    ocsp: b.revocation.ocsp.map((r) => `${r.cert}:${sha256(r.der)}`),
    crls: b.revocation.crls.map((r) => `${r.cert}:${sha256(r.der)}`),
  };
}
