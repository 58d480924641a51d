/**
 * The time-stamping unit's key and certificate (RFC 3161 §2.3; ETSI EN 319 421 §7.7): an EC P-256
 * key of its own (purpose 'tsa') certified by the issuing CA under the 'tsa' profile (critical EKU
 * id-kp-timeStamping, nothing else). Provisioned by ca/service-identity.ts, as the OCSP responder's is:
 * the newest stored key whose certificate is valid, still good in the CA's registry and far enough
 * from expiry is reused — also one another instance made — otherwise a new key is certified and the
 * old ones retired. A token must stay verifiable under an unexpired certificate for a good while, so
 * the key stops stamping RENEW_BEFORE_MS before its certificate ends (the private key usage period
 * EN 319 421 asks to be shorter than the certificate's).
 */
import { type CertifiedKey, createServiceIdentity, type LocalCa, type ServiceIdentity } from '../ca/index.js';
import type { SignerIdentity } from '../formats/ports.js';
import { defaultSignature, type KeyService, type ResolvedSignature, signatureAlgorithmOid } from '../keys/index.js';
import type { Clock } from '../platform/index.js';

const DAY = 86_400_000;
export const TSA_PURPOSE = 'tsa';
export const TSA_VALIDITY_DAYS = 3 * 365;
export const RENEW_BEFORE_MS = 365 * DAY;

export interface TsaIdentity {
  readonly keyId: string;
  readonly signature: ResolvedSignature;
  /** DER certificates: the TSA's, the issuing CA's, the root's. */
  readonly chain: readonly Buffer[];
  readonly notAfter: number;
  /** Of the TSA certificate (registry.ts spelling). */
  readonly serial: string;
  /** The CMS signer for a token generated at `genTime`; with certificates only when asked (certReq). */
  signer(genTime: number, withCertificates: boolean): SignerIdentity;
}

export interface TsaIdentityDeps {
  readonly ca: LocalCa;
  readonly keys: KeyService;
  readonly clock: Clock;
  readonly subjectDn: string;
}

/**
 * current(): the identity to stamp with now; use(fn): stamp, finding the identity again and
 * retrying once if signing fails; statusChanged(serial) (CA-2): a revoked TSA certificate stops
 * being used at once; forget(): look again next time.
 */
export type TsaIdentities = ServiceIdentity<TsaIdentity>;

function toIdentity({ key, chain, notAfter, serial }: CertifiedKey): TsaIdentity {
  const signature = defaultSignature(key.keyType);
  // The root is the relying party's trust anchor; the token carries the TSA and issuing CA certificates.
  const carried = chain.slice(0, 2);
  return {
    keyId: key.id,
    signature,
    chain,
    notAfter,
    serial,
    signer: (genTime, withCertificates) => ({
      chain: withCertificates ? carried : carried.slice(0, 1),
      hash: signature.hash.name,
      signAlgo: signatureAlgorithmOid(signature),
      signingTime: new Date(genTime),
    }),
  };
}

export function createTsaIdentities(deps: TsaIdentityDeps): TsaIdentities {
  return createServiceIdentity(deps, {
    purpose: TSA_PURPOSE,
    profile: 'tsa',
    subjectDn: deps.subjectDn,
    keyType: 'EC-P256',
    validityDays: TSA_VALIDITY_DAYS,
    renewBeforeMs: RENEW_BEFORE_MS,
    retireReason: 'TSA certificate renewed',
    build: toIdentity,
  });
}
