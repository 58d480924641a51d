/**
 * The built-in CA hierarchy (CA-1): a root (EC P-384, self-signed, persisted; its key can be kept
 * offline, used only to certify issuing CAs and sign their CRLs) and an issuing CA under it that
 * certifies end-entity keys with the profiles of profiles.ts. Every certificate is recorded in the
 * registry (registry.ts) that CRLs and OCSP answer from, and carries the AIA (OCSP, caIssuers) and
 * CRL distribution point URLs of this service.
 */
import { createHash } from 'node:crypto';
import { Certificate, type Extension, PublicKeyInfo } from 'pkijs';
import type { AuditSink } from '../audit/event.js';
import { ShomeiError } from '../errors.js';
import { type KeyService, type KeyType, parseDn, signPkiObject, signPkiObjects } from '../keys/index.js';
import type { Clock, Random } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { buildCertificate, randomSerial } from './certificate.js';
import { checkCsr } from './csr.js';
import {
  authorityKeyIdentifier,
  basicConstraints,
  KeyUsageBit,
  keyIdentifier,
  keyUsage,
  subjectKeyIdentifier,
} from './extensions.js';
import { type IssuerUrls, PROFILES, type ProfileName } from './profiles.js';
import { type CrlReasonName, createRegistry, type IssuedCertificate, type Registry, serialHex } from './registry.js';

const DAY = 86_400_000;
export const ROOT_ID = 'local-root';
export const ISSUING_ID = 'issuing-1';

/** The policy OID of certificates issued with the default configuration (the example arc, X.660 2.999). */
export const DEFAULT_POLICY_OIDS: readonly string[] = ['2.999.1.1'];

export interface LocalCaOptions {
  readonly store: Store;
  /** CA actions are logged like signatures (SPEC roles: key/CA administrator). */
  readonly audit: AuditSink;
  readonly keys: KeyService;
  readonly clock: Clock;
  readonly random: Random;
  /** Base URL of this service: the AIA and CRL distribution point URLs are under it. */
  readonly publicUrl: string;
  readonly rootSubjectDn?: string;
  readonly issuingSubjectDn?: string;
  readonly rootKeyType?: Extract<KeyType, 'EC-P384' | 'RSA-3072'>;
  readonly rootValidityDays?: number;
  /** Certificate policy OIDs (CA-3). */
  readonly policies?: readonly string[];
}

export interface CaAuthority {
  readonly id: string;
  readonly keyId: string;
  /** DER. */
  readonly certificate: Buffer;
  readonly subjectDn: string;
  readonly role: 'root' | 'issuing';
  readonly parentId: string | null;
  /** 'offline': the key is not in the key store; it signs only in a ceremony (offline-root.ts). */
  readonly status: 'online' | 'offline';
}

/** The root, as callers before the hierarchy knew it. */
export type CaRoot = CaAuthority;

export type EndEntityProfile = Exclude<ProfileName, 'issuing-ca'>;

export interface IssueRequest {
  readonly keyId: string;
  readonly subjectDn: string;
  readonly profile: EndEntityProfile;
  readonly validityDays: number;
  /** TLS profile: the DNS names. */
  readonly dnsNames?: readonly string[];
}

export type KeylessRequest = Omit<IssueRequest, 'keyId'> & { readonly spki: Buffer };

export interface CsrIssueRequest {
  /** PEM or DER (base64 in a string). */
  readonly csr: string | Uint8Array;
  readonly profile: EndEntityProfile;
  readonly validityDays: number;
  /** Overrides the CSR's subject (the RA decides what is certified). */
  readonly subjectDn?: string;
  readonly dnsNames?: readonly string[];
}

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

export type StatusListener = (issuerId: string, serial: string) => Promise<void> | void;

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

async function load(store: Store, id: string): Promise<CaAuthority | undefined> {
  const r = await store.db.selectFrom('ca_authorities').selectAll().where('id', '=', id).executeTakeFirst();
  return (
    r && {
      id: r.id,
      keyId: r.key_id,
      certificate: Buffer.from(r.certificate),
      subjectDn: r.subject_dn,
      role: r.role === 'root' ? 'root' : 'issuing',
      parentId: r.parent_id,
      status: r.status === 'offline' ? 'offline' : 'online',
    }
  );
}

/** Loads the authority or makes it; of two instances racing, one row wins and the loser's key is destroyed. */
async function loadOrCreate(
  opts: LocalCaOptions,
  id: string,
  make: () => Promise<Omit<CaAuthority, 'id' | 'status'>>,
): Promise<CaAuthority> {
  const existing = await load(opts.store, id);
  if (existing) return existing;
  const made = await make();
  await opts.store.db
    .insertInto('ca_authorities')
    .values({
      id,
      key_id: made.keyId,
      certificate: made.certificate,
      subject_dn: made.subjectDn,
      role: made.role,
      parent_id: made.parentId,
      created_at: opts.clock.now(),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const winner = (await load(opts.store, id)) as CaAuthority;
  if (winner.keyId !== made.keyId)
    await opts.keys.destroy(made.keyId, { actor: 'system', reason: `another instance made ${id} first` });
  else
    await opts.audit.append({
      type: made.role === 'root' ? 'ca.root.create' : 'ca.issuing.create',
      actor: 'system',
      outcome: 'success',
      authorityId: id,
      keyId: made.keyId,
      subjectDN: made.subjectDn,
      certificateSha256: createHash('sha256').update(made.certificate).digest('hex'),
    });
  return winner;
}

async function createRoot(opts: LocalCaOptions): Promise<Omit<CaAuthority, 'id' | 'status'>> {
  const subjectDn = opts.rootSubjectDn ?? 'CN=shomei local root CA';
  const key = await opts.keys.generate(opts.rootKeyType ?? 'EC-P384', 'ca-root');
  const now = opts.clock.now();
  const name = parseDn(subjectDn);
  const cert = buildCertificate({
    serial: randomSerial(opts.random),
    issuer: name,
    subject: name,
    notBefore: now,
    notAfter: now + (opts.rootValidityDays ?? 3650) * DAY,
    spki: key.publicKey,
    extensions: [
      basicConstraints(true),
      keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
      subjectKeyIdentifier(keyIdentifier(key.publicKey)),
    ],
  });
  const certificate = await signPkiObject(opts.keys, key.id, cert, (alg) => {
    cert.signature = alg;
  });
  await opts.keys.importCertificateChain(key.id, [certificate]);
  return { keyId: key.id, certificate, subjectDn, role: 'root', parentId: null };
}

async function createIssuing(
  opts: LocalCaOptions,
  root: CaRoot,
  registry: Registry,
  rootUrls: IssuerUrls,
  policies: readonly string[],
): Promise<Omit<CaAuthority, 'id' | 'status'>> {
  const subjectDn = opts.issuingSubjectDn ?? 'CN=shomei issuing CA 1';
  const key = await opts.keys.generate('EC-P384', 'ca-issuing');
  const rootCert = Certificate.fromBER(root.certificate);
  // Half the root's remaining life, at most the profile's: the issuing CA is renewed under the same root.
  const now = opts.clock.now();
  const left = rootCert.notAfter.value.getTime() - now;
  const notAfter = now + Math.min(PROFILES['issuing-ca'].maxValidityDays * DAY, Math.floor(left / 2));
  const certificate = await signUnder(opts, root, {
    subjectDn,
    spki: key.publicKey,
    notAfter,
    extensions: PROFILES['issuing-ca'].extensions({ urls: rootUrls, policies }),
  });
  await opts.keys.importCertificateChain(key.id, [certificate, root.certificate]);
  await recordIssued(registry, root.id, certificate, subjectDn, key.id, 'issuing-ca');
  return { keyId: key.id, certificate, subjectDn, role: 'issuing', parentId: root.id };
}

interface Template {
  readonly subjectDn: string;
  readonly spki: Buffer;
  readonly notAfter: number;
  readonly extensions: Extension[];
}

/** Builds and signs a certificate with the issuer's key (SKI, AKI and the given extensions). */
async function signUnder(opts: LocalCaOptions, issuer: CaAuthority, t: Template): Promise<Buffer> {
  const [signed] = await signManyUnder(opts, issuer, [t]);
  return (signed as Signed).der;
}

/** One signing batch: the key store signs the TBS digests in parallel. */
const issuerParts = new WeakMap<Buffer, { subject: Certificate['subject']; aki: Extension }>();
/** The issuer's name and the AKI of what it signs, parsed once per authority certificate. */
function partsOf(issuer: CaAuthority) {
  const known = issuerParts.get(issuer.certificate);
  if (known) return known;
  const c = Certificate.fromBER(issuer.certificate);
  const parts = {
    subject: c.subject,
    aki: authorityKeyIdentifier(keyIdentifier(new Uint8Array(c.subjectPublicKeyInfo.toSchema().toBER(false)))),
  };
  issuerParts.set(issuer.certificate, parts);
  return parts;
}

async function signManyUnder(opts: LocalCaOptions, issuer: CaAuthority, ts: readonly Template[]): Promise<Signed[]> {
  const { subject: issuerName, aki } = partsOf(issuer);
  // A batch often certifies one key many times (bulk issuance): its SKI is computed once.
  const parsed = new Map<string, { ski: Extension; info: PublicKeyInfo }>();
  const keyOf = (spki: Buffer) => {
    const k = spki.toString('base64');
    const known = parsed.get(k);
    if (known) return known;
    const made = { ski: subjectKeyIdentifier(keyIdentifier(spki)), info: PublicKeyInfo.fromBER(spki) };
    parsed.set(k, made);
    return made;
  };
  const notBefore = opts.clock.now();
  const serials = ts.map(() => randomSerial(opts.random));
  const certs = ts.map((t, i) =>
    buildCertificate({
      serial: serials[i] as Uint8Array,
      issuer: issuerName,
      subject: parseDn(t.subjectDn),
      notBefore,
      notAfter: t.notAfter,
      spki: t.spki,
      spkiInfo: keyOf(t.spki).info,
      extensions: [keyOf(t.spki).ski, aki, ...t.extensions],
    }),
  );
  const ders = await signPkiObjects(opts.keys, issuer.keyId, certs, (i) => (alg) => {
    (certs[i] as Certificate).signature = alg;
  });
  // Times as encoded: whole seconds (certificate.ts).
  return ders.map((der, i) => ({
    der,
    serial: serialHex(serials[i] as Uint8Array),
    notBefore: Math.floor(notBefore / 1000) * 1000,
    notAfter: Math.floor((ts[i] as Template).notAfter / 1000) * 1000,
  }));
}

interface Signed {
  readonly der: Buffer;
  readonly serial: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

async function recordIssued(
  registry: Registry,
  issuerId: string,
  der: Buffer,
  subjectDn: string,
  keyId: string | null,
  profile: string,
): Promise<void> {
  const c = Certificate.fromBER(der);
  await registry.record({
    issuerId,
    serial: serialHex(c.serialNumber.valueBlock.valueHexView),
    subjectDn,
    keyId,
    profile,
    notBefore: c.notBefore.value.getTime(),
    notAfter: c.notAfter.value.getTime(),
    der,
  });
}

const notAfters = new WeakMap<Buffer, number>();
/** The authority certificate's notAfter, parsed once per certificate object. */
function notAfterOf(a: CaAuthority): number {
  const known = notAfters.get(a.certificate);
  if (known !== undefined) return known;
  const t = Certificate.fromBER(a.certificate).notAfter.value.getTime();
  notAfters.set(a.certificate, t);
  return t;
}

const extensionCache = new WeakMap<Buffer, Map<string, Extension[]>>();
/**
 * The extensions of a profile depend only on the issuer, the URLs and the policies: built once per
 * issuing-CA certificate, not per certificate.
 */
function sharedExtensions(issuer: CaAuthority): Map<string, Extension[]> {
  let m = extensionCache.get(issuer.certificate);
  if (!m) {
    m = new Map();
    extensionCache.set(issuer.certificate, m);
  }
  return m;
}

/** The checked template of an end-entity certificate: profile, validity within the issuer's, TLS names. */
function endEntity(
  opts: LocalCaOptions,
  issuingCa: CaAuthority,
  issuerUrls: IssuerUrls,
  policies: readonly string[],
  req: KeylessRequest,
  /** Extensions per profile and names, shared by the certificates of one batch. */
  cache?: Map<string, Extension[]>,
): Template {
  const profile = PROFILES[req.profile];
  if (!profile || req.profile === ('issuing-ca' as string))
    throw new ShomeiError('invalid_parameter', { name: 'profile' });
  const notAfter = opts.clock.now() + req.validityDays * DAY;
  // RFC 5280 §6.1.3 does not forbid outliving the issuer, but validators reject such chains in practice.
  if (
    !Number.isInteger(req.validityDays) ||
    req.validityDays < 1 ||
    req.validityDays > profile.maxValidityDays ||
    notAfter > notAfterOf(issuingCa)
  ) {
    throw new ShomeiError('invalid_parameter', { name: 'validityDays' });
  }
  if (req.profile === 'tls' && !req.dnsNames?.length) throw new ShomeiError('invalid_parameter', { name: 'dnsNames' });
  // TLS names differ per certificate: only name-less profiles share their extensions.
  const shared = req.dnsNames?.length ? undefined : cache;
  const extensions =
    shared?.get(req.profile) ??
    profile.extensions({ urls: issuerUrls, policies, ...(req.dnsNames ? { dnsNames: req.dnsNames } : {}) });
  shared?.set(req.profile, extensions);
  return { subjectDn: req.subjectDn, spki: req.spki, notAfter, extensions };
}

/**
 * Certificates for keys held elsewhere (a CSR's key, a bulk fixture): one signing batch, one
 * transaction in the registry, one log entry for the batch.
 */
async function issueKeyless(
  opts: LocalCaOptions,
  issuingCa: CaAuthority,
  registry: Registry,
  issuerUrls: IssuerUrls,
  policies: readonly string[],
  reqs: readonly KeylessRequest[],
  actor: string,
): Promise<Buffer[]> {
  // The extensions of one profile are the same objects for every certificate of the batch.
  const templates = reqs.map((r) => endEntity(opts, issuingCa, issuerUrls, policies, r, sharedExtensions(issuingCa)));
  const signed = await signManyUnder(opts, issuingCa, templates);
  const issued = signed.map((s, i) => ({
    issuerId: issuingCa.id,
    serial: s.serial,
    subjectDn: (templates[i] as Template).subjectDn,
    keyId: null,
    profile: (reqs[i] as KeylessRequest).profile,
    notBefore: s.notBefore,
    notAfter: s.notAfter,
    der: s.der,
  }));
  await registry.recordMany(issued);
  await opts.audit.append({
    type: 'certificate.issue',
    actor,
    outcome: 'success',
    issuerId: issuingCa.id,
    count: issued.length,
    profile: reqs[0]?.profile ?? null,
    serialNumbers: issued.length <= 10 ? issued.map((c) => c.serial) : null,
    firstSerial: issued[0]?.serial ?? null,
    lastSerial: issued.at(-1)?.serial ?? null,
  });
  return signed.map((s) => s.der);
}

async function issue(
  opts: LocalCaOptions,
  issuingCa: CaAuthority,
  root: CaRoot,
  registry: Registry,
  issuerUrls: IssuerUrls,
  policies: readonly string[],
  req: IssueRequest,
): Promise<Buffer> {
  const key = await opts.keys.get(req.keyId);
  if (key.status !== 'active') throw new ShomeiError('invalid_state', { detail: `key is ${key.status}` });
  const t = endEntity(
    opts,
    issuingCa,
    issuerUrls,
    policies,
    { ...req, spki: key.publicKey },
    sharedExtensions(issuingCa),
  );
  const ee = await signUnder(opts, issuingCa, t);
  const info = await opts.keys.importCertificateChain(req.keyId, [ee, issuingCa.certificate, root.certificate]);
  await recordIssued(registry, issuingCa.id, ee, info.subjectDn, req.keyId, req.profile);
  await opts.audit.append({
    type: 'certificate.issue',
    actor: 'system',
    outcome: 'success',
    keyId: req.keyId,
    issuerId: issuingCa.id,
    profile: req.profile,
    subjectDN: info.subjectDn,
    serialNumber: info.serialNumber,
  });
  return ee;
}
