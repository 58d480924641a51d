/**
 * Certification path building (RFC 4158 in miniature): depth-first from the target towards a
 * trust anchor, by name chaining, preferring issuers whose SKI matches the AKI, whose signature
 * verifies and that are valid at the validation time. Bounded in depth and in the number of
 * candidates explored, so junk or cyclic intermediates cannot make the search explode.
 */
import type { Certificate } from './certificate.js';
import { bytesEqual } from './der.js';
import { nameEquals } from './names.js';
import { verifySigned } from './signature.js';

export const MAX_PATH_INTERMEDIATES = 12;
const MAX_EXPANSIONS = 400;

export interface CandidatePath {
  readonly anchor: Certificate;
  /** Anchor side first, target last. */
  readonly path: readonly Certificate[];
}

export function* buildPaths(
  target: Certificate,
  pool: readonly Certificate[],
  anchors: readonly Certificate[],
  at: Date,
  maxIntermediates: number,
): Generator<CandidatePath> {
  let budget = MAX_EXPANSIONS;
  // Whether a certificate is itself signed by some known certificate of its issuer's name
  // (memoised): look-alikes with broken signatures sort after the real thing.
  const signedByKnown = new Map<string, boolean>();
  const vouched = (c: Certificate): boolean => {
    let v = signedByKnown.get(c.id);
    if (v === undefined) {
      v = [...anchors, ...pool].some(
        (x) =>
          x.id !== c.id && nameEquals(x.subject, c.issuer) && verifySigned(c.tbs, c.sigAlg, c.signature, x.spki).ok,
      );
      signedByKnown.set(c.id, v);
    }
    return v;
  };
  const score = (child: Certificate, issuer: Certificate): number => {
    let s = 0;
    if (!anchors.includes(issuer) && vouched(issuer)) s += 1;
    const aki = child.ext.aki?.keyId;
    if (aki && issuer.ext.ski) s += bytesEqual(aki, issuer.ext.ski) ? 4 : -4;
    if (verifySigned(child.tbs, child.sigAlg, child.signature, issuer.spki).ok) s += 8;
    if (at >= issuer.notBefore && at <= issuer.notAfter) s += 2;
    return s;
  };
  const issuersOf = (c: Certificate, list: readonly Certificate[]) =>
    list
      .filter((x) => nameEquals(x.subject, c.issuer))
      .map((x) => ({ x, s: score(c, x) }))
      .sort((a, b) => b.s - a.s)
      .map((e) => e.x);

  function* walk(chain: Certificate[]): Generator<CandidatePath> {
    if (--budget < 0) return;
    const head = chain[chain.length - 1]!;
    for (const a of issuersOf(head, anchors)) yield { anchor: a, path: [...chain].reverse() };
    // max_chain_depth counts logical intermediates: self-issued re-keys do not count (RFC 5280 §4.2.1.9).
    const logical = chain.slice(1).filter((c) => !nameEquals(c.subject, c.issuer)).length;
    if (chain.length - 1 >= MAX_PATH_INTERMEDIATES) return;
    for (const next of issuersOf(head, pool)) {
      // No certificate twice, and no repeat of the same (subject, key): cycles through re-issued CAs.
      if (chain.some((c) => c.id === next.id || (nameEquals(c.subject, next.subject) && bytesEqual(c.spki, next.spki))))
        continue;
      if (anchors.some((a) => bytesEqual(a.spki, next.spki) && nameEquals(a.subject, next.subject))) continue;
      if (logical >= maxIntermediates && !nameEquals(next.subject, next.issuer)) continue;
      yield* walk([...chain, next]);
    }
  }
  yield* walk([target]);
}
