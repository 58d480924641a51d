/**
 * One signature's indication (EN 319 102-1 §5.3 basic validation, §5.5 with time, §5.6 long-term,
 * simplified): integrity first; then every time-stamp; the earliest one that PASSED is the proof of
 * existence and the signer's path is checked at its genTime with the revocation data the signature
 * carries, otherwise at the validation time. Simplifications are listed in SIMPLIFICATIONS.
 */
import type { EmbeddedData, ExtractedSignature } from './model.js';
import { type RevocationInput, validatePath } from './path.js';
import type { Indication, SignatureReport, SubIndication } from './report.js';
import { expiredAt, reportPath, summarize } from './summary.js';
import { type ValidatedTimestamp, validateTimestamp } from './timestamps.js';

export interface EvaluateOptions {
  readonly anchors: readonly Uint8Array[];
  readonly at: Date;
  readonly revocationMode: 'require' | 'prefer';
  readonly fetch?: RevocationInput['fetch'];
}

interface Verdict {
  readonly indication: Indication;
  readonly subIndication?: SubIndication;
  readonly reason?: string;
}

const hasEmbeddedStatus = (e: EmbeddedData) => e.ocsps.length + e.crls.length > 0;

/** The path's verdict in EN 319 102-1 terms, given the proof of existence and the claimed signing time. */
function pathVerdict(
  path: Awaited<ReturnType<typeof validatePath>>,
  sig: ExtractedSignature,
  poe: Date | undefined,
): Verdict {
  const reason = path.reason ?? path.subIndication ?? path.indication;
  if (path.indication === 'PASSED') return { indication: 'TOTAL-PASSED' };
  const sub = path.subIndication ?? '';
  if (sub.startsWith('REVOKED')) {
    const revokedAt = path.revocation.find((r) => r.status === 'revoked')?.revokedAt;
    // §5.6.3 / EN 319 102-1 §5.2.6: revoked before the time the signer claims to have signed.
    const signedAfter = revokedAt && sig.claimedSigningTime && revokedAt <= sig.claimedSigningTime;
    const stampedAfter = revokedAt && poe && revokedAt <= poe;
    if (signedAfter || stampedAfter) return { indication: 'TOTAL-FAILED', subIndication: 'REVOKED', reason };
    return { indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE', reason };
  }
  if (sub === 'EXPIRED' || sub.includes('OUT_OF_BOUNDS')) {
    return { indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE', reason };
  }
  const known: SubIndication[] = [
    'NOT_YET_VALID',
    'NO_CERTIFICATE_CHAIN_FOUND',
    'CHAIN_CONSTRAINTS_FAILURE',
    'TRY_LATER',
  ];
  const mapped = known.find((k) => k === sub) ?? 'CERTIFICATE_CHAIN_GENERAL_FAILURE';
  return { indication: 'INDETERMINATE', subIndication: mapped, reason };
}

async function timestampsOf(sig: ExtractedSignature, opts: EvaluateOptions): Promise<ValidatedTimestamp[]> {
  const ctx = { anchors: opts.anchors, pool: sig.certificates, embedded: sig.embedded };
  const out: ValidatedTimestamp[] = [];
  for (const ts of sig.timestamps) out.push(await validateTimestamp(ts, ctx));
  return out;
}

export async function evaluate(sig: ExtractedSignature, opts: EvaluateOptions): Promise<SignatureReport> {
  const stamps = await timestampsOf(sig, opts);
  const poes = stamps.flatMap((s) => (s.poe ? [s.poe] : []));
  const poe = poes.length ? new Date(Math.min(...poes.map((d) => d.getTime()))) : undefined;
  const at = poe ?? opts.at;
  const reasons = stamps.flatMap((s) =>
    s.report.indication === 'PASSED'
      ? []
      : [`${s.report.kind} time-stamp ${s.report.indication}: ${s.report.reason ?? ''}`],
  );
  const base = {
    id: sig.id,
    format: sig.format,
    ...(sig.signer ? { signer: summarize(sig.signer) } : {}),
    ...(sig.claimedSigningTime ? { claimedSigningTime: sig.claimedSigningTime.toISOString() } : {}),
    validationTime: at.toISOString(),
    level: sig.level,
    integrity: sig.integrity.valid ? { valid: true } : { valid: false, detail: sig.integrity.detail },
    timestamps: stamps.map((s) => s.report),
    ...(sig.coverage ? { coverage: sig.coverage } : {}),
  };
  if (!sig.integrity.valid) {
    const sub = sig.integrity.subIndication;
    const indeterminate = sub === 'SIGNED_DATA_NOT_FOUND' || sub === 'NO_SIGNING_CERTIFICATE_FOUND';
    const indication: Indication = indeterminate ? 'INDETERMINATE' : 'TOTAL-FAILED';
    return { ...base, indication, subIndication: sub, reasons: [sig.integrity.detail, ...reasons] };
  }
  if (sig.coverage && !sig.coverage.wellFormed) {
    const why = 'the /ByteRange does not cover a whole revision apart from /Contents';
    return { ...base, indication: 'TOTAL-FAILED', subIndication: 'FORMAT_FAILURE', reasons: [why, ...reasons] };
  }
  const signer = sig.signer as Uint8Array;
  // With a proof of existence the embedded data speaks for that time; without, ask as configured.
  const embedded = poe !== undefined && hasEmbeddedStatus(sig.embedded);
  const path = await validatePath({
    target: signer,
    intermediates: [...sig.certificates, ...sig.embedded.certificates, ...stamps.flatMap((s) => s.certificates)],
    anchors: opts.anchors,
    at,
    revocation: {
      crls: sig.embedded.crls,
      ocsp: sig.embedded.ocsps,
      mode: embedded ? 'prefer' : opts.revocationMode,
      ...(opts.fetch && !embedded ? { fetch: opts.fetch } : {}),
    },
  });
  let verdict = pathVerdict(path, sig, poe);
  // Past the certificate's end, only evidence kept from before (B-LT) can show it was not revoked.
  if (verdict.indication === 'TOTAL-PASSED' && expiredAt(signer, opts.at) && !hasEmbeddedStatus(sig.embedded)) {
    const reason = 'the signer certificate has expired and the signature carries no revocation data (no LTV)';
    verdict = { indication: 'INDETERMINATE', subIndication: 'OUT_OF_BOUNDS_NO_POE', reason };
  }
  const modified = sig.coverage?.modifiedAfterSigning ? ['document modified after signing'] : [];
  return {
    ...base,
    indication: verdict.indication,
    ...(verdict.subIndication ? { subIndication: verdict.subIndication } : {}),
    reasons: [...(verdict.reason ? [verdict.reason] : []), ...modified, ...reasons],
    certificatePath: reportPath(path, at, embedded || hasEmbeddedStatus(sig.embedded)),
  };
}
