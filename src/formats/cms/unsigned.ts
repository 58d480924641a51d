/** Adding unsigned attributes (RFC 5652 §5.3) to a finished signature without touching signed bytes. */
import { bytesOf, contentOf, splice, TAG, tlv } from './der.js';
import { attribute } from './encode.js';
import { attributesOf, readSignedData, signatureField, unsignedAttrsField } from './signed-data.js';

/**
 * Appends one Attribute to the SignerInfo's unsignedAttrs (creating the field if absent). Appended
 * rather than sorted: EN 319 122-1 §5.5 reads later time-stamps as covering earlier attributes.
 */
export function addUnsignedAttribute(
  contentInfo: Uint8Array,
  attrType: string,
  values: readonly Uint8Array[],
): Uint8Array {
  const v = readSignedData(contentInfo);
  const der = v.der;
  const existing = unsignedAttrsField(v);
  const added = attribute(attrType, values);
  const unsigned = existing ? tlv(TAG.ctx1, contentOf(der, existing), added) : tlv(TAG.ctx1, added);
  const fields = existing ? v.signerFields.slice(0, -1) : v.signerFields;
  const signerInfo = tlv(TAG.sequence, ...fields.map((f) => bytesOf(der, f)), unsigned);
  return splice(der, [...v.path, v.signerInfos, v.signerInfo], signerInfo);
}

/** The content octets of the SignerInfo's signature OCTET STRING. */
export function signatureValueOf(contentInfo: Uint8Array): Uint8Array {
  const v = readSignedData(contentInfo);
  return Uint8Array.from(contentOf(v.der, signatureField(v)));
}

/** The values (DER, in order) of the unsigned attributes of the given types, e.g. the time-stamp tokens. */
export function unsignedAttributeValues(contentInfo: Uint8Array, types: readonly string[]): Uint8Array[] {
  const v = readSignedData(contentInfo);
  const u = unsignedAttrsField(v);
  if (!u) return [];
  return attributesOf(v.der, u)
    .filter((a) => types.includes(a.type))
    .flatMap((a) => a.values.map((t) => Uint8Array.from(bytesOf(v.der, t))));
}
