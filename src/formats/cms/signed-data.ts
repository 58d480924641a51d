/**
 * Reading a CMS SignedData (RFC 5652 §5) as raw TLVs: the fields CAdES needs to extend a signature
 * (unsigned attributes, certificates, crls) are located by offset and replaced in place.
 */
import { ShomeiError } from '../../errors.js';
import { children, contentOf, readTlv, TAG, type Tlv } from './der.js';
import { oid } from './encode.js';
import { CMS_OID } from './oids.js';

export interface SignedDataView {
  readonly der: Uint8Array;
  /** ContentInfo → [0] → SignedData. */
  readonly path: readonly [Tlv, Tlv, Tlv];
  readonly encapContentInfo: Tlv;
  /** [0] IMPLICIT CertificateSet, when present. */
  readonly certificates?: Tlv;
  /** [1] IMPLICIT RevocationInfoChoices, when present. */
  readonly crls?: Tlv;
  readonly signerInfos: Tlv;
  /** The first (only) SignerInfo. */
  readonly signerInfo: Tlv;
  readonly signerFields: readonly Tlv[];
}

const malformed = (detail: string): ShomeiError => new ShomeiError('cms_malformed', { detail });

export function readSignedData(contentInfo: Uint8Array): SignedDataView {
  const der = contentInfo;
  const ci = readTlv(der, 0);
  if (ci.tag !== TAG.sequence || ci.end !== der.length) throw malformed('not a ContentInfo');
  const [type, explicit] = children(der, ci);
  if (!type || !explicit || explicit.tag !== TAG.ctx0) throw malformed('not a ContentInfo');
  if (Buffer.compare(der.subarray(type.start, type.end), oid(CMS_OID.signedData)) !== 0) {
    throw malformed('not a SignedData');
  }
  const sd = readTlv(der, explicit.body, explicit.end);
  const fields = children(der, sd);
  const encapContentInfo = fields[2];
  const signerInfos = fields[fields.length - 1];
  if (fields.length < 4 || encapContentInfo?.tag !== TAG.sequence || signerInfos?.tag !== TAG.set) {
    throw malformed('SignedData fields');
  }
  const signerInfo = children(der, signerInfos)[0];
  if (!signerInfo) throw malformed('no SignerInfo');
  const optional = fields.slice(3, -1);
  const certificates = optional.find((f) => f.tag === TAG.ctx0);
  const crls = optional.find((f) => f.tag === TAG.ctx1);
  return {
    der,
    path: [ci, explicit, sd],
    encapContentInfo,
    ...(certificates ? { certificates } : {}),
    ...(crls ? { crls } : {}),
    signerInfos,
    signerInfo,
    signerFields: children(der, signerInfo),
  };
}

/** The SignerInfo's `signature` OCTET STRING TLV (RFC 5652 §5.3). */
export function signatureField(v: SignedDataView): Tlv {
  const f = v.signerFields.find((t, i) => i >= 4 && t.tag === TAG.octetString);
  if (!f) throw malformed('no signature value');
  return f;
}

/** The [0] IMPLICIT signedAttrs TLV. */
export function signedAttrsField(v: SignedDataView): Tlv {
  const f = v.signerFields[3];
  if (f?.tag !== TAG.ctx0) throw malformed('no signed attributes');
  return f;
}

/** The [1] IMPLICIT unsignedAttrs TLV, when present. */
export function unsignedAttrsField(v: SignedDataView): Tlv | undefined {
  const last = v.signerFields[v.signerFields.length - 1];
  return last?.tag === TAG.ctx1 ? last : undefined;
}

/** The attributes of a SET OF Attribute, by type OID (dotted), each with its raw value TLVs. */
export function attributesOf(der: Uint8Array, set: Tlv): { type: string; tlv: Tlv; values: Tlv[] }[] {
  return children(der, set).map((a) => {
    const [t, vals] = children(der, a);
    if (t?.tag !== TAG.oid || vals?.tag !== TAG.set) throw malformed('attribute');
    return { type: oidString(contentOf(der, t)), tlv: a, values: children(der, vals) };
  });
}

/** Dotted form of OID content octets (X.690 §8.19). */
export function oidString(content: Uint8Array): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}
