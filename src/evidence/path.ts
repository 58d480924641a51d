/**
 * RFC 5280 §6 path validation of the bundle's chain (src/validation/path), on top of chain.ts's
 * per-certificate checks that name the place: the full algorithm — key usage, basic constraints,
 * policies, name constraints — with the bundle's own CRLs and OCSP answers, at the checkpoint time
 * (when the revocation data was taken). Its verdict is reported against `certificates`.
 */
import type { X509Certificate } from 'node:crypto';
import { validatePath } from '../validation/path/index.js';

export async function checkPath(
  certs: readonly X509Certificate[],
  anchors: readonly Uint8Array[] | undefined,
  revocation: { readonly ocsp: readonly Uint8Array[]; readonly crls: readonly Uint8Array[] },
  at: number,
  report: (where: string, message: string) => void,
): Promise<void> {
  const [target, ...rest] = certs;
  if (!target) return;
  const result = await validatePath({
    target: target.raw,
    intermediates: rest.map((c) => c.raw),
    anchors: anchors ?? [(rest.at(-1) ?? target).raw],
    at: new Date(at),
    revocation: { ...revocation, mode: 'require' },
  });
  if (result.indication !== 'PASSED') {
    const sub = result.subIndication ? ` ${result.subIndication}` : '';
    report('certificates', `RFC 5280 path validation: ${result.indication}${sub}: ${result.reason ?? ''}`);
  }
}
