/**
 * RFC 5280 §6.3 CRL validation for one certificate: distribution-point scope, indirect CRLs,
 * reason partitions, delta CRLs, and the CRL signer's own path (which may use a different key
 * than the certificate issuer, PKITS 4.4.19–21 and 4.5.6–8).
 */
import { type Certificate, certLabel, type DistributionPoint, KU } from './certificate.js';
import type { CertStatus, Context } from './context.js';
import type { Crl } from './crl.js';
import { appendRdn, formatName, type GeneralName, generalNameEquals, type Name, nameEquals } from './names.js';
import { verifySigned } from './signature.js';

/** Reason bits 1..8 of ReasonFlags (§4.2.1.13); bit 0 "unused" is not a reason. */
const ALL_REASONS = 0x1fe;
const REMOVE_FROM_CRL = 8;
const REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  '',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

export function crlStatus(cert: Certificate, issuer: Certificate, issuerSpki: Uint8Array, ctx: Context): CertStatus {
  const dps: readonly DistributionPoint[] = cert.ext.crlDps?.length ? cert.ext.crlDps : [{}];
  let mask = 0;
  const notes: string[] = [];
  let latest: Date | undefined;
  for (const dp of dps) {
    for (const crl of ctx.crls) {
      if (mask === ALL_REASONS) break;
      if (crl.baseNumber !== undefined) continue;
      const skip = unusableFor(crl, cert, dp, ctx);
      if (skip) {
        notes.push(skip);
        continue;
      }
      const interim = (crl.idp?.onlySomeReasons ?? ALL_REASONS) & (dp.reasons ?? ALL_REASONS) & ALL_REASONS;
      if ((interim & ~mask) === 0) continue;
      const signer = findSigner(crl, issuer, issuerSpki, ctx);
      if (!signer) {
        notes.push(`no valid signer for the CRL of ${formatName(crl.issuer)}`);
        continue;
      }
      const delta = findDelta(crl, signer, ctx);
      // §6.3.3 (i)(j): the delta CRL speaks first; removeFromCRL there lifts a hold in the base.
      const hit = (delta && lookup(delta, cert)) ?? lookup(crl, cert);
      latest = delta?.thisUpdate ?? crl.thisUpdate;
      if (hit && hit.reason !== REMOVE_FROM_CRL && hit.date <= ctx.at) {
        return {
          source: 'crl',
          status: 'revoked',
          revokedAt: hit.date,
          thisUpdate: latest,
          reason: REASONS[hit.reason] ?? String(hit.reason),
        };
      }
      mask |= interim;
    }
  }
  if (mask === ALL_REASONS) return { source: 'crl', status: 'good', ...(latest ? { thisUpdate: latest } : {}) };
  const why = notes.length ? [...new Set(notes)].join('; ') : 'no CRL for it was available';
  return { source: 'none', status: 'unknown', reason: `${certLabel(cert)}: no usable CRL covers all reasons (${why})` };
}

/** §6.3.3 (a)(b): freshness and scope. Returns a reason when the CRL does not apply. */
function unusableFor(crl: Crl, cert: Certificate, dp: DistributionPoint, ctx: Context): string | undefined {
  if (crl.unusable) return crl.unusable;
  if (crl.nextUpdate && crl.nextUpdate < ctx.at)
    return `CRL of ${formatName(crl.issuer)} is stale (nextUpdate ${crl.nextUpdate.toISOString()})`;
  if (!Buffer.from(crl.tbsSigAlg.der).equals(crl.sigAlg.der)) return 'CRL signature algorithm fields differ';
  const idp = crl.idp;
  if (dp.crlIssuer) {
    if (!idp?.indirect || !dp.crlIssuer.some((g) => g.kind === 'dn' && nameEquals(g.value, crl.issuer)))
      return 'not the named cRLIssuer';
  } else if (!nameEquals(crl.issuer, cert.issuer))
    return `CRL from ${formatName(crl.issuer)} is not from the certificate issuer`;
  if (idp && (idp.fullName || idp.relative)) {
    const idpNames = idp.fullName ?? [{ kind: 'dn', value: appendRdn(crl.issuer, idp.relative!) } as GeneralName];
    const dpNames = dpNamesOf(dp, cert);
    if (!idpNames.some((a) => dpNames.some((b) => generalNameEquals(a, b))))
      return 'distribution point names do not match';
  }
  const isCa = cert.ext.basicConstraints?.ca === true;
  if (idp?.onlyUser && isCa) return 'CRL covers only end-entity certificates';
  if (idp?.onlyCA && !isCa) return 'CRL covers only CA certificates';
  if (idp?.onlyAttr) return 'CRL covers only attribute certificates';
  return undefined;
}

function dpNamesOf(dp: DistributionPoint, cert: Certificate): GeneralName[] {
  if (dp.fullName) return [...dp.fullName];
  const base: Name | undefined = dp.crlIssuer?.find((g) => g.kind === 'dn')?.value as Name | undefined;
  if (dp.relative) return [{ kind: 'dn', value: appendRdn(base ?? cert.issuer, dp.relative) }];
  return dp.crlIssuer ? [...dp.crlIssuer] : [];
}

/** §6.3.3 (f)(g): the certificate that signed the CRL, validated for that purpose. */
function findSigner(crl: Crl, issuer: Certificate, issuerSpki: Uint8Array, ctx: Context): Signer | undefined {
  const candidates = [issuer, ...ctx.anchors, ...ctx.pool].filter(
    (c, i, all) => nameEquals(c.subject, crl.issuer) && all.findIndex((x) => x.id === c.id) === i,
  );
  for (const c of candidates) {
    if (c.ext.keyUsage !== undefined && !(c.ext.keyUsage & (1 << KU.cRLSign))) continue;
    const spki = c.id === issuer.id ? issuerSpki : c.spki;
    if (!verifySigned(crl.tbs, crl.sigAlg, crl.signature, spki).ok) continue;
    const trusted = c.id === issuer.id || ctx.anchors.some((a) => a.id === c.id) || ctx.inProgress.has(c.id);
    if (trusted || ctx.validateSigner(c, ctx)) return { cert: c, spki };
  }
  return undefined;
}

/** §6.3.3 (c): a delta CRL for `base`, same scope, signed by the same key. */
interface Signer {
  readonly cert: Certificate;
  /** The key that verified the CRL (with inherited DSA parameters where needed). */
  readonly spki: Uint8Array;
}

function findDelta(base: Crl, signer: Signer, ctx: Context): Crl | undefined {
  if (base.number === undefined) return undefined;
  for (const d of ctx.crls) {
    if (d.baseNumber === undefined || d.unusable || !nameEquals(d.issuer, base.issuer)) continue;
    if (!Buffer.from(d.idp?.der ?? []).equals(base.idp?.der ?? new Uint8Array())) continue;
    if (d.baseNumber > base.number || (d.number !== undefined && d.number <= base.number)) continue;
    if (d.nextUpdate && d.nextUpdate < ctx.at) continue;
    if (!verifySigned(d.tbs, d.sigAlg, d.signature, signer.spki).ok) continue;
    return d;
  }
  return undefined;
}

function lookup(crl: Crl, cert: Certificate) {
  return crl.entries.find((e) => e.serial === cert.serial && nameEquals(e.issuer, cert.issuer));
}
