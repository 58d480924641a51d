/**
 * The time-stamping unit's key and certificate (RFC 3161 §2.3; ETSI EN 319 421 §7.7): an EC P-256
 * key of its own (purpose 'tsa') certified by the issuing CA under the 'tsa' profile (critical EKU
 * id-kp-timeStamping, nothing else). Provisioned the way the OCSP responder's is (ca/ocsp/signer.ts):
 * the newest stored key whose certificate is valid, still good in the CA's registry and far enough
 * from expiry is reused — also one another instance made — otherwise a new key is certified and the
 * old ones retired. A token must stay verifiable under an unexpired certificate for a good while, so
 * the key stops stamping RENEW_BEFORE_MS before its certificate ends (the private key usage period
 * EN 319 421 asks to be shorter than the certificate's).
 */
import { Certificate } from 'pkijs';
import { type CaAuthority, type LocalCa, serialHex } from '../ca/index.js';
import type { SignerIdentity } from '../formats/ports.js';
import {
  defaultSignature,
  type KeyRecord,
  type KeyService,
  type ResolvedSignature,
  signatureAlgorithmOid,
} from '../keys/index.js';
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

export interface TsaIdentities {
  /** The identity to stamp with now, created or renewed as needed. */
  current(): Promise<TsaIdentity>;
  /** A certificate's status changed (CA-2): if it is the TSA's, the next token finds a new identity. */
  statusChanged(serial: string): void;
  /** Signing failed (the key retired meanwhile, e.g. by another instance): look again next time. */
  forget(): void;
}

function toIdentity(key: KeyRecord, chain: readonly Buffer[]): TsaIdentity {
  const signature = defaultSignature(key.keyType);
  const c = Certificate.fromBER(chain[0] as Buffer);
  // The root is the relying party's trust anchor; the token carries the TSA and issuing CA certificates.
  const carried = chain.slice(0, 2);
  return {
    keyId: key.id,
    signature,
    chain,
    notAfter: c.notAfter.value.getTime(),
    serial: serialHex(c.serialNumber.valueBlock.valueHexView),
    signer: (genTime, withCertificates) => ({
      chain: withCertificates ? carried : carried.slice(0, 1),
      hash: signature.hash.name,
      signAlgo: signatureAlgorithmOid(signature),
      signingTime: new Date(genTime),
    }),
  };
}

export function createTsaIdentities(deps: TsaIdentityDeps): TsaIdentities {
  const { ca, keys, clock } = deps;
  let cached: TsaIdentity | undefined;
  let pending: Promise<TsaIdentity> | undefined;
  const usable = (notAfter: number) => notAfter - clock.now() > RENEW_BEFORE_MS;

  /** The key's identity if it may stamp now: certified by the current issuing CA, good, far from expiry. */
  async function currentIdentity(key: KeyRecord, issuing: CaAuthority): Promise<TsaIdentity | undefined> {
    if (key.status !== 'active') return undefined;
    const cert = await keys.certificate(key.id);
    if (cert?.status !== 'valid' || !cert.chain[1]?.equals(issuing.certificate) || !usable(cert.notAfter))
      return undefined;
    const identity = toIdentity(key, cert.chain);
    return (await ca.registry.find(issuing.id, identity.serial))?.status === 'good' ? identity : undefined;
  }

  async function create(): Promise<TsaIdentity> {
    const issuing = await ca.issuing();
    const stored = (await keys.find({ purpose: TSA_PURPOSE })).filter((k) => k.status === 'active').reverse();
    for (const key of stored) {
      const identity = await currentIdentity(key, issuing);
      if (identity) return identity; // ours from before a restart, or another instance's
    }
    const key = await keys.generate('EC-P256', TSA_PURPOSE);
    await ca.issue({ keyId: key.id, subjectDn: deps.subjectDn, profile: 'tsa', validityDays: TSA_VALIDITY_DAYS });
    const cert = await keys.certificate(key.id);
    if (!cert) throw new Error('TSA certificate not stored');
    // None of the stored keys may stamp any more (expiring, revoked, another CA's): they are retired.
    for (const old of stored) await keys.retire(old.id, { actor: 'system', reason: 'TSA certificate renewed' });
    return toIdentity(key, cert.chain);
  }

  return {
    current() {
      if (cached && usable(cached.notAfter)) return Promise.resolve(cached);
      pending ??= create()
        .then((i) => {
          cached = i;
          return i;
        })
        .finally(() => {
          pending = undefined;
        });
      return pending;
    },
    statusChanged(serial) {
      if (cached?.serial === serial) cached = undefined;
    },
    forget() {
      cached = undefined;
    },
  };
}
