/**
 * Who signs OCSP responses (RFC 6960 §4.2.2.2). For the issuing CA's certificates: a delegated
 * responder — an EC P-256 key with a short-lived certificate from the issuing CA (profile 'ocsp':
 * id-kp-OCSPSigning, id-pkix-ocsp-nocheck), so the CA key signs once a month, not per response.
 * It is provisioned by ../service-identity.ts: reused while its certificate has more than
 * RENEW_BEFORE_MS left (also by other instances), then replaced by a new key (the old one retired).
 * For the root's certificates (the issuing CAs): the root itself, since a delegate of the root
 * would need the root online as often as the root signing directly.
 */
import { createHash } from 'node:crypto';
import { algorithmIdentifier, defaultSignature, type KeyService, type ResolvedSignature } from '../../keys/index.js';
import type { Clock } from '../../platform/index.js';
import type { CaAuthority, LocalCa } from '../local-ca.js';
import { type CertifiedKey, certifiedKey, createServiceIdentity, retryOnce } from '../service-identity.js';
import { keyHash } from './cert-id.js';
import { responseData, type SingleAnswer, successResponse, type Validity } from './response.js';

const DAY = 86_400_000;
export const RESPONDER_PURPOSE = 'ocsp-responder';
export const RESPONDER_VALIDITY_DAYS = 30;
/** A responder certificate is replaced when it has this little left — well over any response's validity. */
export const RENEW_BEFORE_MS = 7 * DAY;

export interface ResponseSigner {
  readonly keyId: string;
  /** ResponderID byKey. */
  readonly keyHash: Buffer;
  /** Sent in BasicOCSPResponse.certs so that clients can find and check the signer. */
  readonly certs: readonly Buffer[];
  /** Responses must not outlive the signer's certificate. */
  readonly notAfter: number;
  /** Of the signer's certificate (registry.ts spelling). */
  readonly serial: string;
  readonly signature: ResolvedSignature;
  /** DER AlgorithmIdentifier. */
  readonly algorithm: Buffer;
}

export interface SignerDeps {
  readonly ca: LocalCa;
  readonly keys: KeyService;
  readonly clock: Clock;
  /** nextUpdate − thisUpdate. */
  readonly validityMs: number;
  readonly responderSubjectDn?: string;
}

/**
 * Signs many responses with one key-service call (the key store batches digests): one
 * BasicOCSPResponse per entry of `batches`, each over its own SingleResponses.
 */
export async function signResponses(
  keys: KeyService,
  signer: ResponseSigner,
  validity: Validity,
  batches: readonly (readonly SingleAnswer[])[],
): Promise<Buffer[]> {
  const tbs = batches.map((answers) => responseData(signer.keyHash, validity, answers));
  const digests = tbs.map((t) => createHash(signer.signature.hash.node).update(t).digest());
  const signatures = await keys.signDigests(signer.keyId, signer.signature, digests);
  return tbs.map((t, i) => successResponse(t, signer.algorithm, signatures[i] as Buffer, signer.certs));
}

function toSigner({ key, chain, notAfter, serial }: CertifiedKey): ResponseSigner {
  const signature = defaultSignature(key.keyType);
  return {
    keyId: key.id,
    keyHash: keyHash(key.publicKey),
    certs: chain.slice(0, 1),
    notAfter,
    serial,
    signature,
    algorithm: Buffer.from(algorithmIdentifier(signature).toSchema().toBER(false)),
  };
}

export interface Signers {
  /** The delegated responder of the issuing CA, created or renewed as needed. */
  ensureResponder(): Promise<ResponseSigner>;
  /**
   * Signs one BasicOCSPResponse per batch with the signer for certificates of `authority`: valid
   * from now (whole seconds) for validityMs, never past the signer's certificate. If signing fails
   * (the responder's key retired or destroyed meanwhile), it finds the signer again and retries
   * once, rather than failing until a restart.
   */
  sign(
    authority: CaAuthority,
    batches: readonly (readonly SingleAnswer[])[],
  ): Promise<{ ders: Buffer[]; validity: Validity }>;
  /** A certificate's status changed: if it is the responder's, the responder is replaced. */
  statusChanged(serial: string): void;
}

export function createSigners(deps: SignerDeps): Signers {
  const { keys, clock } = deps;
  const roots = new Map<string, Promise<ResponseSigner>>();
  const responder = createServiceIdentity(deps, {
    purpose: RESPONDER_PURPOSE,
    profile: 'ocsp',
    subjectDn: deps.responderSubjectDn ?? 'CN=shomei OCSP responder',
    keyType: 'EC-P256',
    validityDays: RESPONDER_VALIDITY_DAYS,
    renewBeforeMs: RENEW_BEFORE_MS,
    retireReason: 'OCSP responder certificate renewed',
    build: toSigner,
  });
  const ensureResponder = () => responder.current();

  /** RFC 6960 §4.2.2.2 case 1: the CA that issued the certificate signs itself. */
  function direct(authority: CaAuthority): Promise<ResponseSigner> {
    let s = roots.get(authority.id);
    if (!s) {
      s = keys.get(authority.keyId).then((key) => toSigner(certifiedKey(key, [authority.certificate])));
      s.catch(() => roots.delete(authority.id));
      roots.set(authority.id, s);
    }
    return s;
  }

  const forIssuer = (authority: CaAuthority) => (authority.role === 'root' ? direct(authority) : ensureResponder());
  const validityFor = (signer: ResponseSigner): Validity => {
    const thisUpdate = Math.floor(clock.now() / 1000) * 1000;
    return {
      thisUpdate,
      nextUpdate: Math.min(thisUpdate + deps.validityMs, Math.floor(signer.notAfter / 1000) * 1000),
    };
  };

  return {
    ensureResponder,
    sign(authority, batches) {
      const attempt = async () => {
        const signer = await forIssuer(authority);
        const validity = validityFor(signer);
        return { ders: await signResponses(keys, signer, validity, batches), validity };
      };
      return retryOnce(attempt, () => {
        responder.forget();
        roots.clear();
      });
    },
    statusChanged: (serial) => responder.statusChanged(serial),
  };
}
