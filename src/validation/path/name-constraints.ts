/**
 * Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)(c), §6.1.4 (g)). Instead of computing subtree
 * intersections, each CA's permitted set is kept as its own group: a name must satisfy every group
 * that constrains its type, and must match no excluded subtree. This is equivalent to §6.1.4 (g)
 * and avoids the fiddly intersection arithmetic.
 */
import type { Certificate, Subtrees } from './certificate.js';
import { dnWithin, emailsInName, type GeneralName, type Name } from './names.js';

export class NameConstraintState {
  private readonly permitted: (readonly GeneralName[])[] = [];
  private readonly excluded: GeneralName[] = [];

  add(nc: Subtrees): void {
    if (nc.permitted) this.permitted.push(nc.permitted);
    if (nc.excluded) this.excluded.push(...nc.excluded);
  }

  /** Returns a reason string when `cert`'s names violate the constraints. */
  check(cert: Certificate): string | undefined {
    const names: GeneralName[] = [...(cert.ext.san ?? [])];
    if (cert.subject.rdns.length > 0) names.push({ kind: 'dn', value: cert.subject });
    for (const e of emailsInName(cert.subject)) names.push({ kind: 'email', value: e });
    for (const name of names) {
      const label = describe(name);
      if (this.excluded.some((b) => matches(name, b) === true)) return `${label} is in an excluded subtree`;
      for (const group of this.permitted) {
        const sameType = group.filter((b) => b.kind === name.kind);
        if (sameType.length > 0 && !sameType.some((b) => matches(name, b) === true))
          return `${label} is outside the permitted subtrees`;
      }
    }
    return undefined;
  }
}

const describe = (n: GeneralName): string =>
  n.kind === 'dn'
    ? 'the subject DN'
    : n.kind === 'ip'
      ? `IP ${[...n.value].join('.')}`
      : `${n.kind} name ${String(n.value)}`;

/** Whether `name` lies within subtree `base`; undefined when the forms cannot be compared. */
export function matches(name: GeneralName, base: GeneralName): boolean | undefined {
  if (name.kind !== base.kind) return undefined;
  switch (name.kind) {
    case 'dn':
      return dnWithin(name.value, (base as { value: Name }).value);
    case 'dns':
      return dnsWithin(name.value, String(base.value));
    case 'email':
      return emailWithin(name.value, String(base.value));
    case 'uri':
      return uriWithin(name.value, String(base.value));
    case 'ip':
      return ipWithin(name.value, base.value as Uint8Array);
    default:
      return Buffer.from(name.value).equals(base.value as Uint8Array);
  }
}

function dnsWithin(host: string, base: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  const b = base.toLowerCase().replace(/\.$/, '');
  if (b === '') return true;
  if (b.startsWith('.')) return h.endsWith(b);
  return h === b || h.endsWith(`.${b}`);
}

function emailWithin(email: string, base: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  const host = email.slice(at + 1).toLowerCase();
  if (base.includes('@')) {
    const bAt = base.lastIndexOf('@');
    return email.slice(0, at) === base.slice(0, bAt) && host === base.slice(bAt + 1).toLowerCase();
  }
  const b = base.toLowerCase();
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

function uriWithin(uri: string, base: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  const host = m?.[1]?.toLowerCase();
  if (!host) return false;
  const b = base.toLowerCase();
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

function ipWithin(ip: Uint8Array, base: Uint8Array): boolean {
  if (base.length !== ip.length * 2) return false;
  for (let i = 0; i < ip.length; i++) {
    const mask = base[ip.length + i]!;
    if ((ip[i]! & mask) !== (base[i]! & mask)) return false;
  }
  return true;
}
