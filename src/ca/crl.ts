/**
 * CRLs (RFC 5280 §5; CA-2): one per CA, listing its revoked and held certificates that have not
 * expired, with a monotonic CRL number, the authority key identifier and each entry's reason
 * (absent for unspecified, §5.3.1). Issued again after every revocation, hold or release of that
 * CA's certificates, and on a schedule once half the validity has passed, so a CDN can always serve
 * a current one; every CRL is kept.
 */
import * as asn1js from 'asn1js';
import { Certificate, CertificateRevocationList, Extension, Extensions, RevokedCertificate, Time } from 'pkijs';
import type { AuditSink } from '../audit/event.js';
import { ShomeiError } from '../errors.js';
import { type KeyService, signPkiObject } from '../keys/index.js';
import type { Clock } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { authorityKeyIdentifier, keyIdentifier } from './extensions.js';
import type { CaAuthority, LocalCa } from './local-ca.js';

export const CRL_VALIDITY_HOURS = 24;

export interface CrlDeps {
  readonly store: Store;
  readonly keys: KeyService;
  readonly clock: Clock;
  readonly audit: AuditSink;
  readonly ca: LocalCa;
  readonly validityHours?: number;
}

export interface PublishedCrl {
  readonly der: Buffer;
  readonly number: number;
  readonly thisUpdate: number;
  readonly nextUpdate: number;
}

/** RFC 5280 §4.1.2.5 encoding rule for times, whole seconds. */
const time = (ms: number) => {
  const value = new Date(Math.floor(ms / 1000) * 1000);
  return new Time({ type: value.getUTCFullYear() < 2050 ? 0 : 1, value });
};

const ext = (extnID: string, value: asn1js.BaseBlock) =>
  new Extension({ extnID, critical: false, extnValue: value.toBER(false) });

/** A positive INTEGER from the registry's hex (a leading zero octet when the high bit is set). */
function serialInteger(hex: string): asn1js.Integer {
  const even = hex.length % 2 ? `0${hex}` : hex;
  const bytes = Buffer.from(even, 'hex');
  return new asn1js.Integer({ valueHex: (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes });
}

export function createCrls(deps: CrlDeps) {
  const validityMs = (deps.validityHours ?? CRL_VALIDITY_HOURS) * 3_600_000;

  async function authority(id: string): Promise<CaAuthority> {
    const found = (await deps.ca.authorities()).find((a) => a.id === id);
    if (!found) throw new ShomeiError('invalid_parameter', { name: 'authority' });
    return found;
  }

  /**
   * Issues and stores a new CRL for the authority. An offline root signs only in a ceremony
   * (offline-root.ts), which passes its longer validity.
   */
  async function issue(authorityId: string, validity = validityMs, ceremony = false): Promise<PublishedCrl> {
    const a = await authority(authorityId);
    if (a.status === 'offline' && !ceremony)
      throw new ShomeiError('invalid_state', {
        detail: `${authorityId} is offline: its CRL is signed in a ceremony (shomei ca ceremony)`,
      });
    const now = deps.clock.now();
    // The number is taken atomically: two instances never sign two different CRLs with one number.
    const number = await deps.store.transaction(async (tx) => {
      await tx
        .updateTable('ca_authorities')
        .set((eb) => ({ crl_number: eb('crl_number', '+', 1) }))
        .where('id', '=', authorityId)
        .execute();
      const r = await tx
        .selectFrom('ca_authorities')
        .select('crl_number')
        .where('id', '=', authorityId)
        .executeTakeFirst();
      return Number(r?.crl_number ?? 1);
    });
    const revoked = await deps.ca.registry.revokedOf(authorityId, now);
    const issuer = Certificate.fromBER(a.certificate);
    const crl = new CertificateRevocationList({
      version: 1,
      issuer: issuer.subject,
      thisUpdate: time(now),
      nextUpdate: time(now + validity),
      ...(revoked.length
        ? {
            revokedCertificates: revoked.map(
              (r) =>
                new RevokedCertificate({
                  userCertificate: serialInteger(r.serial),
                  revocationDate: time(r.revoked_at ?? now),
                  ...(r.revocation_reason
                    ? {
                        crlEntryExtensions: new Extensions({
                          extensions: [ext('2.5.29.21', new asn1js.Enumerated({ value: r.revocation_reason }))],
                        }),
                      }
                    : {}),
                }),
            ),
          }
        : {}),
      crlExtensions: new Extensions({
        extensions: [
          authorityKeyIdentifier(keyIdentifier(new Uint8Array(issuer.subjectPublicKeyInfo.toSchema().toBER(false)))),
          ext('2.5.29.20', new asn1js.Integer({ value: number })),
        ],
      }),
    });
    const der = await signPkiObject(deps.keys, a.keyId, crl, (alg) => {
      crl.signature = alg;
    });
    const published = { der, number, thisUpdate: now, nextUpdate: now + validity };
    await deps.store.db
      .insertInto('ca_crls')
      .values({
        issuer_id: authorityId,
        number,
        this_update: now,
        next_update: published.nextUpdate,
        der,
      })
      .execute();
    await deps.audit.append({
      type: 'ca.crl.issue',
      actor: 'system',
      outcome: 'success',
      issuerId: authorityId,
      crlNumber: number,
      entries: revoked.length,
      nextUpdate: published.nextUpdate,
    });
    return published;
  }

  /**
   * The newest CRL, issued afresh when there is none or half its validity has passed — except for
   * an offline CA, whose ceremony CRL is served as it is until the next ceremony.
   */
  const renewing = new Map<string, Promise<PublishedCrl>>();
  async function current(authorityId: string): Promise<PublishedCrl> {
    // Concurrent readers that find it due share one renewal (in this process) instead of each
    // issuing a CRL with its own number.
    const pending = renewing.get(authorityId);
    if (pending) return pending;
    const p = currentOrRenew(authorityId).finally(() => renewing.delete(authorityId));
    renewing.set(authorityId, p);
    return p;
  }

  async function currentOrRenew(authorityId: string): Promise<PublishedCrl> {
    const row = await deps.store.db
      .selectFrom('ca_crls')
      .selectAll()
      .where('issuer_id', '=', authorityId)
      .orderBy('number', 'desc')
      .limit(1)
      .executeTakeFirst();
    const now = deps.clock.now();
    const offline = (await authority(authorityId)).status === 'offline';
    if (row && (offline || now < row.this_update + (row.next_update - row.this_update) / 2))
      return {
        der: Buffer.from(row.der),
        number: Number(row.number),
        thisUpdate: Number(row.this_update),
        nextUpdate: Number(row.next_update),
      };
    return issue(authorityId);
  }

  /** Refreshes every online CA's CRL that is due (the scheduler's tick). */
  async function refreshAll(): Promise<void> {
    for (const a of await deps.ca.authorities()) if (a.status === 'online') await current(a.id);
  }

  /** After a status change: the issuer's CRL now, if its key is online (else at the next ceremony). */
  async function statusChanged(authorityId: string): Promise<void> {
    if ((await authority(authorityId)).status === 'online') await issue(authorityId);
  }

  return { issue, current, refreshAll, statusChanged };
}

export type Crls = ReturnType<typeof createCrls>;
