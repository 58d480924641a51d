/**
 * The registry of issued certificates (CA-2): every certificate a CA of this service signs is
 * recorded with its status, and CRLs and OCSP answer from here. Revocation is final; a hold
 * (certificateHold, RFC 5280 §5.3.1) can be released. Serials are compared as lower-case hex of
 * the INTEGER's magnitude, so a DER leading zero never makes two spellings of one serial.
 */
import type { Selectable } from 'kysely';
import { ShomeiError } from '../errors.js';
import type { RevocationReason } from '../keys/index.js';
import type { Clock } from '../platform/index.js';
import type { CaCertificatesTable, Store } from '../store/index.js';

export type CertificateStatus = 'good' | 'revoked' | 'hold';

/** RFC 5280 §5.3.1 CRLReason codes of keys/'s reason names (7 is unused; 8 is delta-CRL only). */
export const CRL_REASONS: Readonly<Record<RevocationReason, number>> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};
export type CrlReasonName = RevocationReason;
export const isCrlReason = (r: string): r is CrlReasonName => Object.hasOwn(CRL_REASONS, r);

export type IssuedCertificate = Selectable<CaCertificatesTable>;

/** Serial as the registry spells it: hex of the magnitude, lower case, no leading zeros. */
export function serialHex(serial: Uint8Array | string): string {
  const hex = typeof serial === 'string' ? serial.toLowerCase() : Buffer.from(serial).toString('hex');
  return hex.replace(/^0+(?=.)/, '');
}

export interface NewIssued {
  readonly issuerId: string;
  readonly serial: string;
  readonly subjectDn: string;
  readonly keyId: string | null;
  readonly profile: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly der: Buffer;
}

export function createRegistry(deps: { store: Store; clock: Clock }) {
  const { store, clock } = deps;

  const row = (c: NewIssued, now: number) => ({
    issuer_id: c.issuerId,
    serial: serialHex(c.serial),
    subject_dn: c.subjectDn,
    key_id: c.keyId,
    profile: c.profile,
    not_before: c.notBefore,
    not_after: c.notAfter,
    status: 'good' as const,
    revocation_reason: null,
    revoked_at: null,
    der: c.der,
    created_at: now,
  });

  async function record(c: NewIssued): Promise<void> {
    await recordMany([c]);
  }

  /** In one transaction, 500 rows a statement (SQLite's bound-parameter limit). */
  async function recordMany(list: readonly NewIssued[]): Promise<void> {
    const now = clock.now();
    await store.transaction(async (tx) => {
      for (let i = 0; i < list.length; i += 500) {
        await tx
          .insertInto('ca_certificates')
          .values(list.slice(i, i + 500).map((c) => row(c, now)))
          .onConflict((oc) => oc.columns(['issuer_id', 'serial']).doNothing())
          .execute();
      }
    });
  }

  const find = (issuerId: string, serial: string): Promise<IssuedCertificate | undefined> =>
    store.db
      .selectFrom('ca_certificates')
      .selectAll()
      .where('issuer_id', '=', issuerId)
      .where('serial', '=', serialHex(serial))
      .executeTakeFirst();

  /**
   * Revokes (final) or puts on hold. A revoked certificate stays revoked; a held one may be
   * revoked for good (its revocation time stays the hold's, RFC 5280 §5.3.1 note on hold).
   */
  async function revoke(issuerId: string, serial: string, reason: CrlReasonName): Promise<IssuedCertificate> {
    const code = CRL_REASONS[reason];
    const hold = reason === 'certificateHold';
    const now = clock.now();
    const res = await store.db
      .updateTable('ca_certificates')
      .set((eb) => ({
        status: hold ? 'hold' : 'revoked',
        revocation_reason: code,
        revoked_at: eb.fn.coalesce('revoked_at', eb.val(now)),
      }))
      .where('issuer_id', '=', issuerId)
      .where('serial', '=', serialHex(serial))
      .where('status', 'in', hold ? ['good'] : ['good', 'hold'])
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) {
      const row = await find(issuerId, serial);
      if (!row) throw new ShomeiError('invalid_parameter', { name: 'serial' });
      throw new ShomeiError('invalid_state', { detail: `certificate is ${row.status}` });
    }
    return (await find(issuerId, serial)) as IssuedCertificate;
  }

  /** Ends a hold (RFC 5280 §5.3.1: the certificate is good again and leaves the next CRL). */
  async function release(issuerId: string, serial: string): Promise<IssuedCertificate> {
    const res = await store.db
      .updateTable('ca_certificates')
      .set({ status: 'good', revocation_reason: null, revoked_at: null })
      .where('issuer_id', '=', issuerId)
      .where('serial', '=', serialHex(serial))
      .where('status', '=', 'hold')
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) throw new ShomeiError('invalid_state', { detail: 'certificate is not on hold' });
    return (await find(issuerId, serial)) as IssuedCertificate;
  }

  /** What a CRL lists: revoked and held certificates that have not expired (RFC 5280 §3.3). */
  const revokedOf = (issuerId: string, now: number) =>
    store.db
      .selectFrom('ca_certificates')
      .select(['serial', 'revoked_at', 'revocation_reason', 'status'])
      .where('issuer_id', '=', issuerId)
      .where('status', 'in', ['revoked', 'hold'])
      .where('not_after', '>', now)
      .orderBy('serial')
      .execute();

  const byKey = (keyId: string) =>
    store.db
      .selectFrom('ca_certificates')
      .selectAll()
      .where('key_id', '=', keyId)
      .orderBy('created_at', 'desc')
      .execute();

  const count = async (issuerId: string): Promise<number> =>
    Number(
      (
        await store.db
          .selectFrom('ca_certificates')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('issuer_id', '=', issuerId)
          .executeTakeFirst()
      )?.n ?? 0,
    );

  return { record, recordMany, find, revoke, release, revokedOf, byKey, count };
}

export type Registry = ReturnType<typeof createRegistry>;
