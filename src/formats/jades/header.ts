/**
 * The JWS Protected Header of a JAdES baseline signature (TS 119 182-1 §5.1, §5.2): the signed
 * properties. Member order is fixed so the same input always gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { HASHES, type HashName } from '../../keys/index.js';
import type { SignerIdentity } from '../ports.js';
import type { JwsAlgorithm } from './alg.js';
import { b64url } from './codec.js';
import type { CheckedOptions } from './options.js';

/** TS 119 182-1 §5.2.8.3.3: the detached-content mechanism whose digests sit in the header. */
export const OBJECT_ID_BY_URI_HASH = 'http://uri.etsi.org/19182/ObjectIdByURIHash';

/** JAdES digest algorithm identifiers (`hashM`, TS 119 182-1 §5.2.8.3.3 / §5.2.2). */
export const JADES_HASH_IDS: Readonly<Record<HashName, string>> = {
  'SHA-256': 'S256',
  'SHA-384': 'S384',
  'SHA-512': 'S512',
};

export interface SigD {
  readonly mId: string;
  readonly pars: string[];
  readonly hashM: string;
  readonly hashV: string[];
  readonly ctys?: string[];
}

export interface ProtectedHeader {
  readonly alg: string;
  readonly cty?: string;
  readonly typ: string;
  readonly 'x5t#S256': string;
  readonly x5c: string[];
  readonly sigT: string;
  readonly sigD?: SigD;
  readonly crit: string[];
}

/** TS 119 182-1 §5.2.1: "YYYY-MM-DDThh:mm:ssZ", UTC, no fractions. */
export const sigTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** RFC 7515 §4.1.10: producers should drop "application/" when no other '/' remains. */
const shortMediaType = (t: string): string => {
  const rest = t.replace(/^application\//i, '');
  return rest.includes('/') ? t : rest;
};

/**
 * Detached: the digest is over the base64url-encoded document, because `b64` is absent
 * (TS 119 182-1 §5.2.8.3.3, hashV item 2), and the JWS Payload is empty (§5.2.8.3.3).
 */
export function detachedReference(payload: Uint8Array, hash: HashName, o: CheckedOptions): SigD {
  const digest = createHash(HASHES[hash].node).update(b64url(payload), 'ascii').digest();
  return {
    mId: OBJECT_ID_BY_URI_HASH,
    pars: [o.documentUri],
    hashM: JADES_HASH_IDS[hash],
    hashV: [b64url(digest)],
    ...(o.contentType ? { ctys: [shortMediaType(o.contentType)] } : {}),
  };
}

export function protectedHeader(
  jws: JwsAlgorithm,
  signer: SignerIdentity,
  o: CheckedOptions,
  sigD: SigD | undefined,
): ProtectedHeader {
  const [signerCert] = signer.chain as [Uint8Array];
  return {
    alg: jws.alg,
    // §5.1.3: cty names the JWS Payload; with sigD the payload is empty and ctys says it instead.
    ...(o.contentType && !sigD ? { cty: shortMediaType(o.contentType) } : {}),
    // RFC 7515 §4.1.9: "JOSE" for the compact serialization, "JOSE+JSON" for the JSON one.
    typ: o.serialization === 'compact' ? 'jose' : 'jose+json',
    'x5t#S256': b64url(createHash('sha256').update(signerCert).digest()),
    x5c: signer.chain.map((c) => Buffer.from(c).toString('base64')),
    sigT: sigTime(signer.signingTime),
    ...(sigD ? { sigD } : {}),
    // §5.1.9 / RFC 7515 §4.1.11: the JAdES parameters a verifier must understand or reject.
    crit: sigD ? ['sigT', 'sigD'] : ['sigT'],
  };
}
