/**
 * Issuing certificates (CA-1): templates checked against the profile and the issuer's validity,
 * signed in batches through the key service, recorded in the registry. What does not change per
 * certificate — the issuer's name, the AKI, each profile's extensions, an SPKI certified many
 * times — is built once.
 */
import { Certificate, type Extension, PublicKeyInfo } from 'pkijs';
import { ShomeiError } from '../errors.js';
import { parseDn, signPkiObjects } from '../keys/index.js';
import { buildCertificate, randomSerial } from './certificate.js';
import { authorityKeyIdentifier, keyIdentifier, subjectKeyIdentifier } from './extensions.js';
import {
  type CaAuthority,
  type CaRoot,
  DAY,
  type IssueRequest,
  type KeylessRequest,
  type LocalCaOptions,
} from './model.js';
import { type IssuerUrls, PROFILES } from './profiles.js';
import { type Registry, serialHex } from './registry.js';

interface Template {
  readonly subjectDn: string;
  readonly spki: Buffer;
  readonly notAfter: number;
  readonly extensions: Extension[];
}

/** Builds and signs a certificate with the issuer's key (SKI, AKI and the given extensions). */
export async function signUnder(opts: LocalCaOptions, issuer: CaAuthority, t: Template): Promise<Buffer> {
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

export async function recordIssued(
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
export async function issueKeyless(
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

export async function issue(
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
