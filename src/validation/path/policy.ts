/**
 * The valid_policy_tree of RFC 5280 §6.1 (certificate policy processing, PKITS 4.8–4.12). The
 * tree is bounded so that a hostile mapping chain cannot make it grow without limit.
 */
export const ANY_POLICY = '2.5.29.32.0';
const MAX_NODES = 2000;

interface Node {
  policy: string;
  expected: Set<string>;
  children: Node[];
  parent: Node | undefined;
  depth: number;
}

export class PolicyTree {
  private root: Node | undefined;
  private count = 1;

  constructor() {
    this.root = { policy: ANY_POLICY, expected: new Set([ANY_POLICY]), children: [], parent: undefined, depth: 0 };
  }

  get isNull(): boolean {
    return this.root === undefined;
  }

  setNull(): void {
    this.root = undefined;
  }

  private level(depth: number): Node[] {
    const out: Node[] = [];
    const walk = (n: Node) => {
      if (n.depth === depth) out.push(n);
      else for (const c of n.children) walk(c);
    };
    if (this.root) walk(this.root);
    return out;
  }

  private add(parent: Node, policy: string, expected: Iterable<string>): void {
    if (++this.count > MAX_NODES) throw new Error('policy tree too large');
    parent.children.push({ policy, expected: new Set(expected), children: [], parent, depth: parent.depth + 1 });
  }

  /** §6.1.3 (d): process the certificatePolicies of the certificate at depth `i`. */
  processPolicies(i: number, policies: readonly string[], anyAllowed: boolean): void {
    if (!this.root) return;
    const parents = this.level(i - 1);
    for (const p of policies) {
      if (p === ANY_POLICY) continue;
      const matches = parents.filter((n) => n.expected.has(p));
      if (matches.length > 0) for (const n of matches) this.add(n, p, [p]);
      else for (const n of parents.filter((x) => x.policy === ANY_POLICY)) this.add(n, p, [p]);
    }
    if (policies.includes(ANY_POLICY) && anyAllowed) {
      for (const n of parents) {
        for (const e of n.expected) if (!n.children.some((c) => c.policy === e)) this.add(n, e, [e]);
      }
    }
    this.prune(i);
  }

  /** §6.1.4 (b): apply policyMappings at depth `i`. */
  applyMappings(
    i: number,
    mappings: readonly (readonly [string, string])[],
    mappingAllowed: boolean,
    anyAllowed: boolean,
  ): void {
    if (!this.root) return;
    const byIssuer = new Map<string, string[]>();
    for (const [from, to] of mappings) byIssuer.set(from, [...(byIssuer.get(from) ?? []), to]);
    for (const [from, tos] of byIssuer) {
      const nodes = this.level(i).filter((n) => n.policy === from);
      if (!mappingAllowed) {
        for (const n of nodes) n.parent!.children = n.parent!.children.filter((c) => c !== n);
        continue;
      }
      if (nodes.length > 0) for (const n of nodes) n.expected = new Set(tos);
      else if (anyAllowed) {
        const any = this.level(i).find((n) => n.policy === ANY_POLICY);
        if (any) this.add(any.parent!, from, tos);
      }
    }
    this.prune(i);
  }

  /** Removes nodes above depth `i` left without children; the tree becomes null if the root goes. */
  private prune(i: number): void {
    for (let d = i - 1; d >= 0; d--) {
      for (const n of this.level(d)) {
        if (n.children.length === 0) {
          if (n.parent) n.parent.children = n.parent.children.filter((c) => c !== n);
          else this.root = undefined;
        }
      }
    }
    if (this.root && i > 0 && this.level(i).length === 0) this.root = undefined;
  }

  /**
   * §6.1.5 (g): intersect with the user-initial-policy-set; returns the user-constrained policy
   * set (empty when the tree is null).
   */
  intersect(n: number, initial: readonly string[]): string[] {
    if (!this.root) return [];
    const userAny = initial.includes(ANY_POLICY);
    if (!userAny) {
      const validSet: Node[] = [];
      const collect = (x: Node) => {
        for (const c of x.children) {
          if (c.policy === ANY_POLICY) collect(c);
          else validSet.push(c);
        }
      };
      if (this.root.policy === ANY_POLICY) collect(this.root);
      for (const v of validSet) {
        if (!initial.includes(v.policy)) v.parent!.children = v.parent!.children.filter((c) => c !== v);
      }
      const anyLeaf = this.level(n).find((x) => x.policy === ANY_POLICY);
      if (anyLeaf) {
        const present = new Set(validSet.map((v) => v.policy));
        for (const p of initial) if (!present.has(p)) this.add(anyLeaf.parent!, p, [p]);
        anyLeaf.parent!.children = anyLeaf.parent!.children.filter((c) => c !== anyLeaf);
      }
      this.prune(n);
    }
    if (!this.root) return [];
    // The set is named in the anchor's policy domain (PKITS 4.10): the valid_policy of each node
    // hanging directly under an anyPolicy chain, or the initial set where anyPolicy reaches depth n.
    const out = new Set<string>();
    const walk = (x: Node) => {
      for (const c of x.children) {
        if (c.policy !== ANY_POLICY) out.add(c.policy);
        else if (c.depth === n) for (const p of initial) out.add(p);
        else walk(c);
      }
    };
    if (n === 0) for (const p of initial) out.add(p);
    walk(this.root);
    return [...out].sort();
  }
}
