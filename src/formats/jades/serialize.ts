/**
 * JWS serializations (RFC 7515 §7): compact, and flattened JSON with the unsigned `etsiU` in the
 * JWS Unprotected Header. A detached payload is left out as RFC 7515 Appendix F describes: an
 * empty middle part (compact) or no `payload` member (JSON).
 */
import type { JadesSerialization } from './options.js';

export interface JwsParts {
  readonly protectedB64: string;
  readonly payloadB64: string;
  readonly signatureB64: string;
  readonly etsiU: readonly string[];
  readonly detached: boolean;
}

export function serialize(p: JwsParts, form: JadesSerialization): Uint8Array {
  if (form === 'compact') return Buffer.from(`${p.protectedB64}.${p.detached ? '' : p.payloadB64}.${p.signatureB64}`);
  const json = {
    ...(p.detached ? {} : { payload: p.payloadB64 }),
    protected: p.protectedB64,
    ...(p.etsiU.length > 0 ? { header: { etsiU: p.etsiU } } : {}),
    signature: p.signatureB64,
  };
  return Buffer.from(JSON.stringify(json));
}
