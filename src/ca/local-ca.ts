/**
 * The built-in CA hierarchy (CA-1): a root (EC P-384, self-signed, persisted; its key can be kept
 * offline, used only to certify issuing CAs and sign their CRLs) and an issuing CA under it that
 * certifies end-entity keys with the profiles of profiles.ts. Every certificate is recorded in the
 * registry (registry.ts) that CRLs and OCSP answer from, and carries the AIA (OCSP, caIssuers) and
 * CRL distribution point URLs of this service. The parts: authorities.ts (root and issuing CA),
 * issuance.ts (templates, batch signing), registry.ts (status), this file (the surface).
 */
import { ShomeiError } from '../errors.js';
import { createIssuing, createRoot, load, loadOrCreate } from './authorities.js';
import { checkCsr } from './csr.js';
import { issue, issueKeyless } from './issuance.js';
import {
  type CaAuthority,
  type CaRoot,
  type CsrIssueRequest,
  DEFAULT_POLICY_OIDS,
  ISSUING_ID,
  type IssueRequest,
  type KeylessRequest,
  type LocalCaOptions,
  ROOT_ID,
  type StatusListener,
} from './model.js';
import type { IssuerUrls } from './profiles.js';
import { type CrlReasonName, createRegistry, type IssuedCertificate, type Registry } from './registry.js';

export * from './model.js';

export interface LocalCa {
  /** Creates the root on first start; later starts reuse the stored one. */
  ensure(): Promise<CaRoot>;
  /** The issuing CA under the root, created on first use. */
  issuing(): Promise<CaAuthority>;
  /** Root and issuing CA as stored now (CA-3's repository lists them; CRLs read their status). */
  authorities(): Promise<CaAuthority[]>;
  /** Issues a certificate for the key from the issuing CA; stores the chain [ee, issuing, root]. */
  issue(req: IssueRequest): Promise<Buffer>;
  /** CA-1: a certificate for a key held elsewhere, from its PKCS#10 request (proof of possession checked). */
  issueFromCsr(req: CsrIssueRequest, actor: string): Promise<Buffer>;
  /** Many certificates for keys held elsewhere in one batch (bulk issuance, the B5 fixture). */
  issueMany(reqs: readonly KeylessRequest[], actor: string): Promise<Buffer[]>;
  /** The AIA and CDP URLs of certificates an authority issues. */
  urls(authorityId: string): IssuerUrls;
  readonly registry: Registry;
  /**
   * CA-2: revokes (or holds) a certificate this CA issued and tells the listeners (CRL, OCSP) at
   * once. The key's own certificate record (keys/) is the caller's: admin/lifecycle.ts does both.
   */
  revoke(issuerId: string, serial: string, reason: CrlReasonName, actor: string): Promise<IssuedCertificate>;
  /** Ends a certificateHold. */
  release(issuerId: string, serial: string, actor: string): Promise<IssuedCertificate>;
  /** Called after every status change, with the issuer and serial (CRL regeneration, OCSP refresh). */
  onStatusChange(listener: StatusListener): void;
  /** Forgets the cached authorities (after a ceremony changed a row). */
  reload(): void;
}

export function createLocalCa(opts: LocalCaOptions): LocalCa {
  const registry = createRegistry(opts);
  const base = opts.publicUrl.replace(/\/+$/, '');
  const urls = (id: string): IssuerUrls => ({
    caIssuers: `${base}/ca/${id}.der`,
    crl: `${base}/crl/${id}.crl`,
    ocsp: `${base}/ocsp`,
  });
  const policies = opts.policies ?? DEFAULT_POLICY_OIDS;
  let root: Promise<CaRoot> | undefined;
  let issuingCa: Promise<CaAuthority> | undefined;
  const once = <T>(
    get: () => Promise<T> | undefined,
    set: (p: Promise<T> | undefined) => void,
    make: () => Promise<T>,
  ) => {
    const existing = get();
    if (existing) return existing;
    const p = make().catch((e) => {
      set(undefined);
      throw e;
    });
    set(p);
    return p;
  };
  const ensure = () =>
    once(
      () => root,
      (p) => {
        root = p;
      },
      () => loadOrCreate(opts, ROOT_ID, () => createRoot(opts)),
    );
  const issuing = () =>
    once(
      () => issuingCa,
      (p) => {
        issuingCa = p;
      },
      async () => {
        const r = await ensure();
        return loadOrCreate(opts, ISSUING_ID, () => createIssuing(opts, r, registry, urls(r.id), policies));
      },
    );
  const listeners: StatusListener[] = [];
  const changed = async (c: IssuedCertificate, type: string, actor: string) => {
    await opts.audit.append({
      type,
      actor,
      outcome: 'success',
      issuerId: c.issuer_id,
      serialNumber: c.serial,
      status: c.status,
      revocationReason: c.revocation_reason,
      keyId: c.key_id,
    });
    // Every listener runs (a failing CRL must not keep OCSP stale); the first failure is reported.
    const failures: unknown[] = [];
    for (const l of listeners) {
      try {
        await l(c.issuer_id, c.serial);
      } catch (e) {
        failures.push(e);
      }
    }
    if (failures.length > 0) throw failures[0];
    return c;
  };
  return {
    revoke: async (issuerId, serial, reason, actor) =>
      changed(await registry.revoke(issuerId, serial, reason), 'ca.certificate.revoke', actor),
    release: async (issuerId, serial, actor) =>
      changed(await registry.release(issuerId, serial), 'ca.certificate.release', actor),
    onStatusChange: (l) => {
      listeners.push(l);
    },
    reload() {
      root = undefined;
      issuingCa = undefined;
    },
    ensure,
    issuing,
    async authorities() {
      await issuing();
      // Read afresh: another process (shomei ca root-offline, a ceremony) may have changed a row.
      return [(await load(opts.store, ROOT_ID)) as CaAuthority, (await load(opts.store, ISSUING_ID)) as CaAuthority];
    },
    issue: async (req) => issue(opts, await issuing(), await ensure(), registry, urls(ISSUING_ID), policies, req),
    issueMany: async (reqs, actor) =>
      issueKeyless(opts, await issuing(), registry, urls(ISSUING_ID), policies, reqs, actor),
    async issueFromCsr(req, actor) {
      // A delegated OCSP responder certificate for someone else's key would let them answer for
      // this CA: the responder is this service's own (ocsp/signer.ts), never certified from a CSR.
      if (req.profile === 'ocsp')
        throw new ShomeiError('invalid_parameter', { name: 'profile (ocsp is not issued from a CSR)' });
      const checked = checkCsr(req.csr);
      const { csr: _csr, ...rest } = req;
      const [der] = await issueKeyless(
        opts,
        await issuing(),
        registry,
        urls(ISSUING_ID),
        policies,
        [{ ...rest, spki: checked.spki, subjectDn: req.subjectDn ?? checked.subjectDn }],
        actor,
      );
      return der as Buffer;
    },
    urls,
    registry,
  };
}
