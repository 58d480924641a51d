/**
 * archive-time-stamp-v3 (EN 319 122-1 §5.5.3) and its ats-hash-index-v3 (§5.5.2). The message
 * imprint is the hash of: eContentType ‖ hash of the signed data ‖ the SignerInfo's version, sid,
 * digestAlgorithm, signedAttrs, signatureAlgorithm and signature (as encoded) ‖ the
 * ATSHashIndexV3 value. The time-stamp uses the SignerInfo's digest algorithm, so the "hash of the
 * signed data" is the message-digest attribute (already protected by the signature): a detached
 * signature can be re-time-stamped without its content.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { type HashAlgorithm, hashByOid } from '../../keys/index.js';
import {
  algorithmId,
  attributesOf,
  bytesOf,
  CMS_OID,
  children,
  contentOf,
  octetString,
  oidString,
  readSignedData,
  type SignedDataView,
  signedAttrsField,
  TAG,
  type Tlv,
  tlv,
  unsignedAttrsField,
} from '../cms/index.js';

const malformed = (detail: string): ShomeiError => new ShomeiError('cms_malformed', { detail });

/** The SignerInfo's digest algorithm and its message-digest attribute value. */
export function signedDataDigest(v: SignedDataView): { hash: HashAlgorithm; messageDigest: Uint8Array } {
  const alg = v.signerFields[2];
  const algOid = alg ? children(v.der, alg)[0] : undefined;
  if (!algOid) throw malformed('digestAlgorithm');
  const hash = hashByOid(oidString(contentOf(v.der, algOid)));
  const md = attributesOf(v.der, signedAttrsField(v)).find((a) => a.type === CMS_OID.messageDigest)?.values[0];
  if (md?.tag !== TAG.octetString) throw malformed('message-digest');
  return { hash, messageDigest: contentOf(v.der, md) };
}

/**
 * ATSHashIndexV3 ::= SEQUENCE { hashIndAlgorithm, certificatesHashIndex, crlsHashIndex,
 * unsignedAttrValuesHashIndex }. hashIndAlgorithm is written even for SHA-256: EU DSS rebuilds the
 * index with it present for v3 and hashes that encoding.
 */
export function atsHashIndexV3(v: SignedDataView, hash: HashAlgorithm, unsignedAttrs: readonly Tlv[]): Uint8Array {
  const der = v.der;
  const h = (...parts: Uint8Array[]) => octetString(createHash(hash.node).update(Buffer.concat(parts)).digest());
  const each = (t: Tlv | undefined) => (t ? children(der, t).map((c) => h(bytesOf(der, c))) : []);
  const attrValues = unsignedAttrs.flatMap((a) => {
    const [type, values] = children(der, a);
    if (!type || !values) throw malformed('attribute');
    return children(der, values).map((val) => h(bytesOf(der, type), bytesOf(der, val)));
  });
  return tlv(
    TAG.sequence,
    algorithmId(hash.oid),
    tlv(TAG.sequence, ...each(v.certificates)),
    tlv(TAG.sequence, ...each(v.crls)),
    tlv(TAG.sequence, ...attrValues),
  );
}

/** The archive-time-stamp-v3 message imprint over the signature as it is now, with `index`. */
export function archiveImprint(v: SignedDataView, hash: HashAlgorithm, index: Uint8Array): Uint8Array {
  const der = v.der;
  const eContentType = children(der, v.encapContentInfo)[0];
  const signed = v.signerFields.slice(0, 6);
  if (!eContentType || signed.length !== 6 || signed[5]?.tag !== TAG.octetString) throw malformed('SignerInfo');
  const { hash: signerHash, messageDigest } = signedDataDigest(v);
  if (signerHash.oid !== hash.oid) throw malformed('archive time-stamp hash differs from the signer digest');
  return createHash(hash.node)
    .update(bytesOf(der, eContentType))
    .update(messageDigest)
    .update(Buffer.concat(signed.map((f) => bytesOf(der, f))))
    .update(index)
    .digest();
}

/** The unsigned attributes now present (each an Attribute TLV), in order. */
export function unsignedAttributes(v: SignedDataView): Tlv[] {
  const u = unsignedAttrsField(v);
  return u ? attributesOf(v.der, u).map((a) => a.tlv) : [];
}

/** Index and imprint for a new archive time-stamp over `cms`. */
export function archiveInput(cms: Uint8Array): { hash: HashAlgorithm; index: Uint8Array; imprint: Uint8Array } {
  const v = readSignedData(cms);
  const { hash } = signedDataDigest(v);
  const index = atsHashIndexV3(v, hash, unsignedAttributes(v));
  return { hash, index, imprint: archiveImprint(v, hash, index) };
}
