/**
 * The cryptographic integrity of a CMS SignerInfo (RFC 5652 §5.4, §5.6), as EN 319 102-1 §5.2.7
 * asks it: the message-digest attribute against the content (HASH_FAILURE), the signing-certificate-v2
 * binding (RFC 5035 §5.4), then the signature over DER(SET OF signedAttrs) by the signer's key
 * (SIG_CRYPTO_FAILURE). The formats only write signatures; this is the one place that checks
 * someone else's, so the algorithm still comes from the one table (keys/signature.ts).
 */
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { signedDataDigest } from '../../formats/cades/index.js';
import {
  attributesOf,
  bytesOf,
  CMS_OID,
  children,
  contentOf,
  oidString,
  readSignedData,
  type SignedDataView,
  signatureField,
  signedAttrsField,
  signerCertificate,
  TAG,
} from '../../formats/cms/index.js';
import { HASHES, hashByOid, keyTypeOfKeyObject, resolveSignature, verifySignature } from '../../keys/index.js';
import type { SubIndication } from './report.js';

export type Integrity =
  | { readonly valid: true }
  | { readonly valid: false; readonly subIndication: SubIndication; readonly detail: string };

const failed = (subIndication: SubIndication, detail: string): Integrity => ({ valid: false, subIndication, detail });
const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && timingSafeEqual(a, b);

/** The encapsulated content (eContent), when the signature is not detached. */
export function encapsulatedContent(v: SignedDataView): Uint8Array | undefined {
  const explicit = children(v.der, v.encapContentInfo)[1];
  if (explicit?.tag !== TAG.ctx0) return undefined;
  const octets = children(v.der, explicit)[0];
  return octets?.tag === TAG.octetString ? contentOf(v.der, octets) : undefined;
}

/** RFC 5035 §5.4: the first ESSCertIDv2's certHash must be the signer certificate's. */
function bindsCertificate(v: SignedDataView, cert: Uint8Array): boolean {
  const attr = attributesOf(v.der, signedAttrsField(v)).find((a) => a.type === CMS_OID.signingCertificateV2);
  const value = attr?.values[0];
  if (!value) return false;
  const certs = children(v.der, value)[0];
  const first = certs ? children(v.der, certs)[0] : undefined;
  const parts = first ? children(v.der, first) : [];
  const alg = parts[0]?.tag === TAG.sequence ? children(v.der, parts[0])[0] : undefined;
  const hashOid = alg ? oidString(contentOf(v.der, alg)) : HASHES['SHA-256'].oid;
  const certHash = parts.find((p) => p.tag === TAG.octetString);
  if (!certHash) return false;
  return equal(createHash(hashByOid(hashOid).node).update(cert).digest(), contentOf(v.der, certHash));
}

function signatureVerifies(v: SignedDataView, cert: Uint8Array, hashOid: string): boolean {
  const algField = v.signerFields[4];
  const parts = algField ? children(v.der, algField) : [];
  const algOid = parts[0] ? oidString(contentOf(v.der, parts[0])) : '';
  const key = new X509Certificate(cert).publicKey;
  const resolved = resolveSignature({
    keyType: keyTypeOfKeyObject(key),
    signAlgo: algOid,
    hashAlgorithmOID: hashOid,
    ...(parts[1] && parts[1].tag === TAG.sequence ? { signAlgoParams: bytesOf(v.der, parts[1]) } : {}),
  });
  // RFC 5652 §5.4: the signature is over the DER of signedAttrs with the SET OF tag, not [0].
  const attrs = Buffer.from(bytesOf(v.der, signedAttrsField(v)));
  attrs[0] = TAG.set;
  return verifySignature({
    spki: key.export({ type: 'spki', format: 'der' }),
    scheme: resolved.scheme,
    hash: resolved.hash.name,
    message: attrs,
    signature: contentOf(v.der, signatureField(v)),
    ...(resolved.saltLength !== undefined ? { saltLength: resolved.saltLength } : {}),
  });
}

/** `content`: the detached content, or the PDF's ByteRange bytes; else the encapsulated content is used. */
export function checkCmsIntegrity(cms: Uint8Array, content: Uint8Array | undefined): Integrity {
  let v: SignedDataView;
  try {
    v = readSignedData(cms);
  } catch {
    return failed('FORMAT_FAILURE', 'not a CMS SignedData');
  }
  try {
    const data = content ?? encapsulatedContent(v);
    if (!data) return failed('SIGNED_DATA_NOT_FOUND', 'the signature is detached and no content was given');
    const { hash, messageDigest } = signedDataDigest(v);
    if (!equal(createHash(hash.node).update(data).digest(), messageDigest)) {
      return failed('HASH_FAILURE', 'the message-digest attribute does not match the signed content');
    }
    const cert = signerCertificate(cms);
    if (!cert) return failed('NO_SIGNING_CERTIFICATE_FOUND', 'the signer certificate is not in the signature');
    if (!bindsCertificate(v, cert)) return failed('FORMAT_FAILURE', 'signing-certificate-v2 does not name the signer');
    if (!signatureVerifies(v, cert, hash.oid))
      return failed('SIG_CRYPTO_FAILURE', 'the signature value does not verify');
    return { valid: true };
  } catch (e) {
    return failed('FORMAT_FAILURE', e instanceof Error ? e.message : 'malformed SignerInfo');
  }
}
