/**
 * CMS SignedData with one SignerInfo (RFC 5652 §5), in the two steps of ports.ts: the signed
 * attributes are fixed first, their digest is what the key signs, and `assemble` wraps the value.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import type { SignerIdentity } from '../ports.js';
import { hashOf, signatureAlgorithm } from './algorithm.js';
import { issuerAndSerialNumber, signingCertificateV2 } from './certificate.js';
import { children, readTlv, setOf, TAG, tlv } from './der.js';
import { algorithmId, attribute, integer, octetString, oid, time } from './encode.js';
import { CMS_OID } from './oids.js';

export interface CmsSignOptions {
  readonly signer: SignerIdentity;
  /** eContentType OID: id-data, id-ct-TSTInfo … */
  readonly contentType: string;
  /** Attached (encapsulated) content; absent = detached. */
  readonly content?: Uint8Array;
  /** signer.hash digest of the content. */
  readonly contentDigest: Uint8Array;
  /** CAdES: true; PAdES: false (the time goes in /M, EN 319 142-1 §5.2.2). */
  readonly signingTimeAttribute: boolean;
  /** DER Attribute, e.g. commitment-type-indication. */
  readonly extraSignedAttributes?: readonly Uint8Array[];
}

export interface PreparedCms {
  /** signer.hash of DER(SET OF signed attributes): what the key signs (RFC 5652 §5.4). */
  readonly digest: Uint8Array;
  /** ContentInfo DER with the signature value in place. */
  assemble(signatureValue: Uint8Array): Uint8Array;
}

export function prepareCms(opts: CmsSignOptions): PreparedCms {
  const { signer } = opts;
  const hash = hashOf(signer);
  if (opts.contentDigest.length !== hash.length) throw new ShomeiError('invalid_digest_length');
  if (opts.content) {
    const actual = createHash(hash.node).update(opts.content).digest();
    if (!actual.equals(opts.contentDigest)) throw new ShomeiError('invalid_parameter', { name: 'contentDigest' });
  }
  const cert = signer.chain[0];
  if (!cert) throw new ShomeiError('certificate_mismatch', { detail: 'no signer certificate' });
  const signedAttrs = setOf(signedAttributes(opts, cert));
  const digest = createHash(hash.node).update(signedAttrs).digest();
  const sigAlg = signatureAlgorithm(signer);
  const digestAlg = algorithmId(hash.oid);
  const sid = issuerAndSerialNumber(cert);

  return {
    digest,
    assemble(signatureValue) {
      if (signatureValue.length === 0) throw new ShomeiError('invalid_parameter', { name: 'signatureValue' });
      // RFC 5652 §5.3: signedAttrs is [0] IMPLICIT; the digest was over the SET OF (tag 0x31).
      const implicitAttrs = Buffer.concat([Uint8Array.of(TAG.ctx0), signedAttrs.subarray(1)]);
      const signerInfo = tlv(
        TAG.sequence,
        integer(1), // v1: sid is issuerAndSerialNumber
        sid,
        digestAlg,
        implicitAttrs,
        sigAlg,
        octetString(signatureValue),
      );
      const encap = opts.content
        ? tlv(TAG.sequence, oid(opts.contentType), tlv(TAG.ctx0, octetString(opts.content)))
        : tlv(TAG.sequence, oid(opts.contentType));
      const signedData = tlv(
        TAG.sequence,
        integer(opts.contentType === CMS_OID.data ? 1 : 3), // RFC 5652 §5.1
        tlv(TAG.set, digestAlg),
        encap,
        setOf(signer.chain, TAG.ctx0),
        tlv(TAG.set, signerInfo),
      );
      return tlv(TAG.sequence, oid(CMS_OID.signedData), tlv(TAG.ctx0, signedData));
    },
  };
}

/** content-type, message-digest, signing-certificate-v2 (EN 319 122-1 §5.2), signing-time if asked, extras. */
function signedAttributes(opts: CmsSignOptions, cert: Uint8Array): Uint8Array[] {
  const attrs = [
    attribute(CMS_OID.contentType, [oid(opts.contentType)]),
    attribute(CMS_OID.messageDigest, [octetString(opts.contentDigest)]),
    attribute(CMS_OID.signingCertificateV2, [signingCertificateV2(cert)]),
  ];
  if (opts.signingTimeAttribute) attrs.push(attribute(CMS_OID.signingTime, [time(opts.signer.signingTime)]));
  const seen = new Set(attrs.map(attributeType));
  for (const extra of opts.extraSignedAttributes ?? []) {
    const type = attributeType(extra);
    // RFC 5652 §5.3: an attribute type appears at most once in signedAttrs.
    if (seen.has(type)) throw new ShomeiError('invalid_parameter', { name: 'extraSignedAttributes' });
    seen.add(type);
    attrs.push(extra);
  }
  return attrs;
}

/** The attrType TLV of a DER Attribute, as a key. */
function attributeType(attr: Uint8Array): string {
  try {
    const outer = readTlv(attr, 0);
    const type = children(attr, outer)[0];
    if (outer.tag !== TAG.sequence || outer.end !== attr.length || type?.tag !== TAG.oid) throw new Error('attr');
    return Buffer.from(attr.subarray(type.start, type.end)).toString('hex');
  } catch (e) {
    throw new ShomeiError('invalid_parameter', { name: 'extraSignedAttributes' }, { cause: e });
  }
}
