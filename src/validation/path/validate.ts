/**
 * The validation pipeline: parse inputs → build candidate paths → §6.1 processing → profile
 * checks (EKU, key usage, Web PKI) → revocation (§6.3 / RFC 6960). The first candidate path that
 * passes wins; otherwise the first candidate's failure is reported. Everything here is
 * synchronous; fetching missing revocation data is done by the async layer in index.ts.
 */
import { buildPaths, MAX_PATH_INTERMEDIATES } from './build.js';
import { type Certificate, certLabel, KU } from './certificate.js';
import type { CertStatus, Context } from './context.js';
import type { Crl } from './crl.js';
import { crlStatus } from './crl-check.js';
import { type OcspResponse, ocspStatus } from './ocsp.js';
import { checkValidity, processPath, unknownCritical } from './process.js';
import { pinnedServerProfile, serverProfile } from './server.js';
import { inheritDsaParams } from './signature.js';
import { type Finding, type PathInput, type PathResult, type RevocationStatus, SUB } from './types.js';

const MAX_CANDIDATE_PATHS = 24;
const MAX_SIGNER_DEPTH = 3;

export interface Parsed {
  readonly target: Certificate;
  readonly pool: readonly Certificate[];
  readonly anchors: readonly Certificate[];
  readonly crls: readonly Crl[];
  readonly ocsp: readonly OcspResponse[];
}

type Outcome =
  | { ok: true; result: PathResult }
  | { ok: false; finding: Finding; chain: Uint8Array[]; revocation: RevocationStatus[] };

export function validateParsed(
  input: PathInput,
  p: Parsed,
  depth = 0,
  inProgress: ReadonlySet<string> = new Set(),
): PathResult {
  const ctx: Context = {
    pool: p.pool,
    anchors: p.anchors,
    at: input.at,
    crls: p.crls,
    ocsp: p.ocsp,
    depth,
    inProgress: new Set([...inProgress, p.target.id]),
    validateSigner: (cert, c) =>
      c.depth < MAX_SIGNER_DEPTH &&
      validateParsed(
        {
          target: cert.der,
          intermediates: [],
          anchors: [],
          at: c.at,
          revocation: { crls: [], ocsp: [], mode: 'require' },
        },
        { ...p, target: cert },
        c.depth + 1,
        c.inProgress,
      ).indication === 'PASSED',
  };
  const anchorSelf = p.anchors.find((a) => a.id === p.target.id);
  if (anchorSelf) {
    // A target that is itself trusted is still held to its validity period.
    const v = checkValidity(anchorSelf, input.at, 'trust anchor');
    if (v && !v.ok) return failure(v.finding, [anchorSelf.der], []);
    const w = input.kind === 'server' ? pinnedServerProfile(anchorSelf, input.serverName) : undefined;
    if (w)
      return failure({ indication: 'FAILED', sub: SUB.CHAIN_CONSTRAINTS_FAILURE, reason: w }, [anchorSelf.der], []);
    return { indication: 'PASSED', chain: [anchorSelf.der], revocation: [] };
  }
  let first: Outcome | undefined;
  let tried = 0;
  const max = Math.min(input.maxIntermediates ?? MAX_PATH_INTERMEDIATES, MAX_PATH_INTERMEDIATES);
  for (const cand of buildPaths(p.target, p.pool, p.anchors, input.at, max)) {
    if (++tried > MAX_CANDIDATE_PATHS) break;
    const o = evaluate(input, cand.anchor, cand.path, ctx);
    if (o.ok) return o.result;
    first ??= o;
  }
  if (first && !first.ok) return failure(first.finding, first.chain, first.revocation);
  return {
    indication: 'INDETERMINATE',
    subIndication: SUB.NO_CERTIFICATE_CHAIN_FOUND,
    reason: `no path from ${certLabel(p.target)} to a trust anchor could be built`,
    chain: [p.target.der],
    revocation: [],
  };
}

const failure = (f: Finding, chain: Uint8Array[], revocation: RevocationStatus[]): PathResult => ({
  indication: f.indication,
  subIndication: f.sub,
  reason: f.reason,
  chain,
  revocation,
});

function evaluate(input: PathInput, anchor: Certificate, path: readonly Certificate[], ctx: Context): Outcome {
  const chain = [...path].reverse().map((c) => c.der);
  chain.push(anchor.der);
  const fail = (indication: Finding['indication'], sub: string, reason: string): Outcome => ({
    ok: false,
    finding: { indication, sub, reason },
    chain,
    revocation: [],
  });
  // RFC 5280 §6.1.1 (d) makes a trust anchor just a name and a key; the Web PKI profile also
  // holds the root certificate itself to its validity and critical extensions (x509-limbo).
  const server = input.kind === 'server';
  const av = server ? checkValidity(anchor, input.at, 'trust anchor') : undefined;
  if (av && !av.ok) return { ok: false, finding: av.finding, chain, revocation: [] };
  const au = server ? unknownCritical(anchor) : undefined;
  if (au)
    return fail(
      'FAILED',
      SUB.CHAIN_CONSTRAINTS_FAILURE,
      `trust anchor ${certLabel(anchor)}: unrecognised critical extension ${au}`,
    );
  for (const c of [anchor, ...path]) {
    if (c.duplicateExtension) return fail('FAILED', SUB.FORMAT_FAILURE, `${certLabel(c)} repeats an extension (§4.2)`);
  }
  const r = processPath(anchor, path, { at: input.at, ...(input.policy ? { policy: input.policy } : {}) });
  if (!r.ok) return { ok: false, finding: r.finding, chain, revocation: [] };
  const leaf = path[path.length - 1]!;
  if (input.requiredEku && !leaf.ext.eku?.includes(input.requiredEku))
    return fail(
      'FAILED',
      SUB.CHAIN_CONSTRAINTS_FAILURE,
      `${certLabel(leaf)} lacks extended key usage ${input.requiredEku}`,
    );
  for (const ku of input.requiredKeyUsage ?? []) {
    const bit = (KU as Record<string, number>)[ku];
    if (bit === undefined || (leaf.ext.keyUsage !== undefined && !(leaf.ext.keyUsage & (1 << bit))))
      return fail('FAILED', SUB.CHAIN_CONSTRAINTS_FAILURE, `${certLabel(leaf)} keyUsage does not allow ${ku}`);
  }
  if (input.kind === 'server') {
    const w = serverProfile(anchor, path, input.serverName);
    if (w) return fail('FAILED', SUB.CHAIN_CONSTRAINTS_FAILURE, w);
  }
  return revocation(input, anchor, path, ctx, chain, r.userPolicies);
}

function revocation(
  input: PathInput,
  anchor: Certificate,
  path: readonly Certificate[],
  ctx: Context,
  chain: Uint8Array[],
  policies: string[],
): Outcome {
  const n = path.length;
  const statuses: RevocationStatus[] = [];
  const passed = (): Outcome => ({
    ok: true,
    result: { indication: 'PASSED', chain, revocation: statuses, userConstrainedPolicySet: policies },
  });
  if (!input.revocation) {
    for (let k = 0; k < n; k++)
      statuses.push({ cert: k, source: 'none', status: 'unknown', reason: 'revocation not checked' });
    return passed();
  }
  // The working keys along the path (§6.1.4 (f)): spkis[j] verifies path[j].
  const spkis = [anchor.spki];
  let params = anchor.spkiAlg.params;
  for (const c of path) {
    params = c.spkiAlg.params ?? params;
    spkis.push(inheritDsaParams(c.spki, params));
  }
  for (let k = 0; k < n; k++) {
    const cert = path[n - 1 - k]!;
    const issuer = n - 2 - k >= 0 ? path[n - 2 - k]! : anchor;
    const issuerSpki = spkis[n - 1 - k]!;
    const s: CertStatus = ocspStatus(cert, issuer, ctx) ?? crlStatus(cert, issuer, issuerSpki, ctx);
    statuses.push({ cert: k, ...s });
    const out = (indication: Finding['indication'], sub: string, reason: string): Outcome => ({
      ok: false,
      finding: { indication, sub, reason },
      chain,
      revocation: statuses,
    });
    if (s.status === 'revoked') {
      const what = `${k === 0 ? 'target' : 'CA'} ${certLabel(cert)} was revoked on ${s.revokedAt?.toISOString()} (${s.reason ?? 'unspecified'})`;
      return k === 0 ? out('FAILED', SUB.REVOKED, what) : out('INDETERMINATE', 'REVOKED_CA_NO_POE', what);
    }
    if (s.status === 'unknown' && input.revocation.mode === 'require')
      return out('INDETERMINATE', SUB.TRY_LATER, s.reason ?? `no revocation status for ${certLabel(cert)}`);
  }
  return passed();
}
