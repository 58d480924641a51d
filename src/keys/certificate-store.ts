/**
 * The `key_certificates` table of DB-2 (KEY-1, KEY-3): one current certificate chain per key, its
 * revocation (KEY-2, RFC 5280 §5.3.1 reason), and the certificates a renewal replaced
 * (`key_certificates_previous`), kept for the record. Only the key service calls these.
 */
import { ShomeiError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { CertificateInfo } from './certificates.js';

/** RFC 5280 §5.3.1 CRLReason values a certificate can be revoked with (removeFromCRL is CRL-only). */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** A renewal replaces the certificate; the one it replaces is kept (KEY-2, for the record). */
export async function storeChain(
  store: Store,
  keyId: string,
  info: CertificateInfo,
  now: number,
): Promise<CertificateInfo> {
  const values = {
    chain: JSON.stringify(info.chain.map((c) => c.toString('base64'))),
    serial_number: info.serialNumber,
    subject_dn: info.subjectDn,
    issuer_dn: info.issuerDn,
    not_before: info.notBefore,
    not_after: info.notAfter,
    status: info.status,
    created_at: now,
    revoked_at: null,
    revocation_reason: null,
  };
  await store.transaction(async (tx) => {
    const old = await tx.selectFrom('key_certificates').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    if (old && old.serial_number !== info.serialNumber) {
      await tx
        .insertInto('key_certificates_previous')
        .values({
          key_id: keyId,
          serial_number: old.serial_number,
          chain: old.chain,
          not_before: old.not_before,
          not_after: old.not_after,
          status: old.status,
          replaced_at: now,
        })
        .onConflict((oc) => oc.columns(['key_id', 'serial_number']).doNothing())
        .execute();
    }
    await tx
      .insertInto('key_certificates')
      .values({ key_id: keyId, ...values })
      .onConflict((oc) => oc.column('key_id').doUpdateSet(values))
      .execute();
  });
  return info;
}

export async function loadCertificate(store: Store, keyId: string): Promise<CertificateInfo | null> {
  const r = await store.db.selectFrom('key_certificates').selectAll().where('key_id', '=', keyId).executeTakeFirst();
  if (!r) return null;
  // The chain was parsed and checked on import; the hot path (every authorize and signHash reads
  // it) uses the stored description instead of parsing DER again.
  return {
    chain: (JSON.parse(r.chain) as string[]).map((b) => Buffer.from(b, 'base64')),
    serialNumber: r.serial_number,
    subjectDn: r.subject_dn,
    issuerDn: r.issuer_dn,
    notBefore: Number(r.not_before),
    notAfter: Number(r.not_after),
    status: r.status,
  };
}

/**
 * Marks the key's certificate revoked — or suspended for certificateHold, which `releaseHold`
 * can end; refused for a key without one or one already revoked. A held one may be revoked.
 */
export async function markRevoked(
  store: Store,
  keyId: string,
  reason: RevocationReason,
  now: number,
): Promise<CertificateInfo> {
  if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) {
    throw new ShomeiError('invalid_parameter', { name: 'reason' });
  }
  const res = await store.db
    .updateTable('key_certificates')
    .set({ status: reason === 'certificateHold' ? 'suspended' : 'revoked', revoked_at: now, revocation_reason: reason })
    .where('key_id', '=', keyId)
    .where('status', 'not in', reason === 'certificateHold' ? ['revoked', 'suspended'] : ['revoked'])
    .executeTakeFirst();
  const cert = await loadCertificate(store, keyId);
  if (!cert) throw new ShomeiError('invalid_state', { detail: 'the key has no certificate' });
  if (res.numUpdatedRows === 0n) throw new ShomeiError('invalid_state', { detail: 'certificate already revoked' });
  return cert;
}

/** Ends a certificateHold: the certificate is valid again (RFC 5280 §5.3.1). */
export async function releaseHold(store: Store, keyId: string): Promise<CertificateInfo> {
  const res = await store.db
    .updateTable('key_certificates')
    .set({ status: 'valid', revoked_at: null, revocation_reason: null })
    .where('key_id', '=', keyId)
    .where('status', '=', 'suspended')
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw new ShomeiError('invalid_state', { detail: 'certificate is not on hold' });
  return (await loadCertificate(store, keyId)) as CertificateInfo;
}
