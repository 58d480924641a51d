/**
 * RFC 5280 §6.1 basic path processing over one candidate path. `path[0]` is issued by the anchor
 * and `path[n-1]` is the target. Returns the first violated rule, or the user-constrained policy
 * set. Revocation (§6.1.3 (a)(3)) is checked separately, after the path is known to be sound.
 */
import { type Certificate, certLabel, EXT, KU } from './certificate.js';
import { NameConstraintState } from './name-constraints.js';
import { nameEquals } from './names.js';
import { ANY_POLICY, PolicyTree } from './policy.js';
import { inheritDsaParams, verifySigned } from './signature.js';
import { type Finding, type PolicyInput, SUB } from './types.js';

/** Extensions this validator processes; any other critical extension fails the path (§6.1.3 (a)). */
export const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set(Object.values(EXT));

export interface ProcessOptions {
  readonly at: Date;
  readonly policy?: PolicyInput;
}

export type ProcessResult = { ok: true; userPolicies: string[] } | { ok: false; finding: Finding };

const failed = (sub: string, reason: string): ProcessResult => ({
  ok: false,
  finding: { indication: 'FAILED', sub, reason },
});
const indeterminate = (sub: string, reason: string): ProcessResult => ({
  ok: false,
  finding: { indication: 'INDETERMINATE', sub, reason },
});

export const isSelfIssued = (c: Certificate): boolean => nameEquals(c.subject, c.issuer);

/** Validity at `at` (§6.1.3 (a)(2)). */
export function checkValidity(c: Certificate, at: Date, role: string): ProcessResult | undefined {
  if (at < c.notBefore)
    return failed(SUB.NOT_YET_VALID, `${role} ${certLabel(c)} is not valid before ${c.notBefore.toISOString()}`);
  if (at > c.notAfter)
    return indeterminate(SUB.EXPIRED, `${role} ${certLabel(c)} expired on ${c.notAfter.toISOString()}`);
  return undefined;
}

export function unknownCritical(c: Certificate): string | undefined {
  for (const [id, e] of c.extensions) if (e.critical && !KNOWN_EXTENSIONS.has(id)) return id;
  return undefined;
}

export function processPath(anchor: Certificate, path: readonly Certificate[], opts: ProcessOptions): ProcessResult {
  const n = path.length;
  const p = opts.policy ?? {};
  const initial = p.initialPolicySet?.length ? p.initialPolicySet : [ANY_POLICY];
  const tree = new PolicyTree();
  const nc = new NameConstraintState();
  if (anchor.ext.nameConstraints) nc.add(anchor.ext.nameConstraints);
  let explicitPolicy = p.explicitPolicy ? 0 : n + 1;
  let inhibitAny = p.anyPolicyInhibit ? 0 : n + 1;
  let policyMapping = p.policyMappingInhibit ? 0 : n + 1;
  let maxPathLength = n;
  let workingSpki = anchor.spki;
  let workingParams = anchor.spkiAlg.params;
  let workingName = anchor.subject;

  for (let i = 1; i <= n; i++) {
    const c = path[i - 1]!;
    const last = i === n;
    const role = last ? 'target' : 'intermediate';
    // §6.1.3 (a)(1): the signature, with the working public key.
    if (!Buffer.from(c.tbsSigAlg.der).equals(c.sigAlg.der))
      return failed(
        SUB.FORMAT_FAILURE,
        `${role} ${certLabel(c)}: signatureAlgorithm differs from tbsCertificate.signature (§4.1.1.2)`,
      );
    const sig = verifySigned(c.tbs, c.sigAlg, c.signature, workingSpki);
    if (!sig.ok && sig.unsupported)
      return indeterminate(SUB.CRYPTO_CONSTRAINTS_FAILURE, `${role} ${certLabel(c)}: ${sig.reason}`);
    if (!sig.ok) return failed(SUB.SIG_CRYPTO_FAILURE, `${role} ${certLabel(c)}: ${sig.reason}`);
    const validity = checkValidity(c, opts.at, role);
    if (validity) return validity;
    if (!nameEquals(c.issuer, workingName))
      return failed(SUB.GENERAL, `${role} ${certLabel(c)}: issuer does not chain (§6.1.3 (a)(4))`);
    // §6.1.3 (b)(c): name constraints, skipped for self-issued intermediates.
    if (last || !isSelfIssued(c)) {
      const v = nc.check(c);
      if (v) return failed(SUB.CHAIN_CONSTRAINTS_FAILURE, `${role} ${certLabel(c)}: ${v} (name constraints)`);
    }
    // §6.1.3 (d)–(f): certificate policies.
    try {
      if (c.ext.policies) tree.processPolicies(i, c.ext.policies, inhibitAny > 0 || (!last && isSelfIssued(c)));
      else tree.setNull();
    } catch (e) {
      return failed(SUB.CHAIN_CONSTRAINTS_FAILURE, `${certLabel(c)}: ${(e as Error).message}`);
    }
    if (explicitPolicy === 0 && tree.isNull)
      return failed(
        SUB.CHAIN_CONSTRAINTS_FAILURE,
        `${role} ${certLabel(c)}: no valid policy while an explicit policy is required (§6.1.3 (f))`,
      );
    if (last) break;

    // §6.1.4: prepare for certificate i+1.
    const maps = c.ext.policyMappings ?? [];
    if (maps.some(([a, b]) => a === ANY_POLICY || b === ANY_POLICY))
      return failed(SUB.CHAIN_CONSTRAINTS_FAILURE, `${certLabel(c)}: policyMappings maps anyPolicy (§6.1.4 (a))`);
    try {
      if (maps.length > 0) tree.applyMappings(i, maps, policyMapping > 0, inhibitAny > 0);
    } catch (e) {
      return failed(SUB.CHAIN_CONSTRAINTS_FAILURE, `${certLabel(c)}: ${(e as Error).message}`);
    }
    workingName = c.subject;
    workingParams = c.spkiAlg.params ?? workingParams;
    workingSpki = inheritDsaParams(c.spki, workingParams);
    if (c.ext.nameConstraints) nc.add(c.ext.nameConstraints);
    if (!isSelfIssued(c)) {
      if (explicitPolicy > 0) explicitPolicy--;
      if (policyMapping > 0) policyMapping--;
      if (inhibitAny > 0) inhibitAny--;
    }
    if (c.ext.requireExplicitPolicy !== undefined)
      explicitPolicy = Math.min(explicitPolicy, c.ext.requireExplicitPolicy);
    if (c.ext.inhibitPolicyMapping !== undefined) policyMapping = Math.min(policyMapping, c.ext.inhibitPolicyMapping);
    if (c.ext.inhibitAnyPolicy !== undefined) inhibitAny = Math.min(inhibitAny, c.ext.inhibitAnyPolicy);
    // §6.1.4 (k)–(n): CA-ness, path length and key usage.
    if (c.version < 3 || !c.ext.basicConstraints?.ca)
      return failed(
        SUB.CHAIN_CONSTRAINTS_FAILURE,
        `intermediate ${certLabel(c)} is not a CA (basicConstraints cA is not set)`,
      );
    if (!isSelfIssued(c)) {
      if (maxPathLength <= 0)
        return failed(
          SUB.CHAIN_CONSTRAINTS_FAILURE,
          `intermediate ${certLabel(c)} exceeds a pathLenConstraint (§6.1.4 (l))`,
        );
      maxPathLength--;
    }
    const pl = c.ext.basicConstraints.pathLen;
    if (pl !== undefined && pl < maxPathLength) maxPathLength = pl;
    if (c.ext.keyUsage !== undefined && !(c.ext.keyUsage & (1 << KU.keyCertSign)))
      return failed(
        SUB.CHAIN_CONSTRAINTS_FAILURE,
        `intermediate ${certLabel(c)}: keyUsage lacks keyCertSign (§6.1.4 (n))`,
      );
    const u = unknownCritical(c);
    if (u)
      return failed(
        SUB.CHAIN_CONSTRAINTS_FAILURE,
        `intermediate ${certLabel(c)}: unrecognised critical extension ${u}`,
      );
  }

  // §6.1.5 wrap-up.
  const target = path[n - 1]!;
  if (explicitPolicy > 0) explicitPolicy--;
  if (target.ext.requireExplicitPolicy === 0) explicitPolicy = 0;
  const u = unknownCritical(target);
  if (u)
    return failed(SUB.CHAIN_CONSTRAINTS_FAILURE, `target ${certLabel(target)}: unrecognised critical extension ${u}`);
  let userPolicies: string[];
  try {
    userPolicies = tree.intersect(n, initial);
  } catch (e) {
    return failed(SUB.CHAIN_CONSTRAINTS_FAILURE, (e as Error).message);
  }
  if (explicitPolicy === 0 && userPolicies.length === 0)
    return failed(
      SUB.CHAIN_CONSTRAINTS_FAILURE,
      'no acceptable certificate policy for the path while one is required (§6.1.5 (g))',
    );
  return { ok: true, userPolicies };
}
