/**
 * Each time-stamp as a building block of its own (EN 319 102-1 §5.4): the token's imprint over the
 * bytes it must cover, its signature and signing-certificate binding and the timeStamping EKU (the
 * TSA client's check, tsa/verify-token.ts), then the TSA's path at genTime with id-kp-timeStamping
 * required and the revocation data the signature carries.
 */
import { createHash } from 'node:crypto';
import { isShomeiError } from '../../errors.js';
import { CMS_OID, readTimestampToken, signedDataCertificates } from '../../formats/cms/index.js';
import { hashByOid } from '../../keys/index.js';
import { verifyToken } from '../../tsa/index.js';
import type { EmbeddedData, TimestampInput } from './model.js';
import { validatePath } from './path.js';
import type { TimestampReport } from './report.js';
import { reportPath, summarize } from './summary.js';

export interface ValidatedTimestamp {
  readonly report: TimestampReport;
  /** genTime, when the time-stamp PASSED: a proof of existence (EN 319 102-1 §5.6.2.4). */
  readonly poe?: Date;
  readonly certificates: readonly Uint8Array[];
}

export interface TimestampContext {
  readonly anchors: readonly Uint8Array[];
  readonly pool: readonly Uint8Array[];
  readonly embedded: EmbeddedData;
}

function failed(kind: TimestampInput['kind'], reason: string): ValidatedTimestamp {
  return { report: { kind, imprintValid: false, indication: 'FAILED', reason }, certificates: [] };
}

export async function validateTimestamp(ts: TimestampInput, ctx: TimestampContext): Promise<ValidatedTimestamp> {
  let hashOid: string;
  let certificates: Uint8Array[];
  try {
    hashOid = readTimestampToken(ts.token).hashOid;
    certificates = signedDataCertificates(ts.token);
  } catch {
    return failed(ts.kind, 'not a time-stamp token');
  }
  let verified: Awaited<ReturnType<typeof verifyToken>>;
  try {
    const hash = hashByOid(hashOid);
    const digest = 'data' in ts.covers ? createHash(hash.node).update(ts.covers.data).digest() : ts.covers.digest;
    verified = await verifyToken(ts.token, { hash, digest });
  } catch (e) {
    return failed(ts.kind, isShomeiError(e) ? (e.params.detail ?? e.message) : 'the token does not verify');
  }
  const path = await validatePath({
    target: verified.signerCertificate,
    intermediates: [...certificates, ...ctx.pool, ...ctx.embedded.certificates],
    anchors: ctx.anchors,
    at: verified.genTime,
    revocation: { crls: ctx.embedded.crls, ocsp: ctx.embedded.ocsps, mode: 'prefer' },
    requiredEku: CMS_OID.kpTimeStamping,
  });
  const report: TimestampReport = {
    kind: ts.kind,
    genTime: verified.genTime.toISOString(),
    tsa: summarize(verified.signerCertificate),
    imprintValid: true,
    path: reportPath(path, verified.genTime, true),
    indication: path.indication,
    ...(path.reason ? { reason: path.reason } : {}),
  };
  return { report, certificates, ...(path.indication === 'PASSED' ? { poe: verified.genTime } : {}) };
}
