/**
 * The signature as text parts, rendered into the host document. We write the XML ourselves (not
 * through a DOM serializer) so that every byte outside ds:Signature stays as the input had it, and
 * so that adding unsigned properties later (B-T, B-LT, B-LTA) leaves the signed parts untouched.
 */
import { NS } from './algorithms.js';

export interface SignatureModel {
  /** Host text before and after ds:Signature (enveloped), or the XML declaration and nothing. */
  readonly before: string;
  readonly after: string;
  /** Id of ds:Signature; other Ids derive from it. */
  readonly id: string;
  readonly signedInfo: string;
  /** Base64 of the signature value ('' while unknown). */
  readonly signatureValue: string;
  readonly keyInfo: string;
  readonly signedProperties: string;
  /** Children of xades:UnsignedSignatureProperties, in order. */
  readonly unsigned: readonly string[];
  /** Enveloping: the ds:Object holding the signed data. */
  readonly dataObject: string;
}

export const ids = (id: string) => ({
  signature: id,
  signatureValue: `${id}-sigvalue`,
  signedProperties: `${id}-signedprops`,
  dataReference: `${id}-ref0`,
  dataObject: `${id}-object`,
  signatureTimeStamp: `${id}-sigts`,
  archiveTimeStamp: (n: number) => `${id}-archivets${n}`,
});

function unsignedXml(children: readonly string[]): string {
  if (children.length === 0) return '';
  return `<xades:UnsignedProperties><xades:UnsignedSignatureProperties>${children.join('')}</xades:UnsignedSignatureProperties></xades:UnsignedProperties>`;
}

export const signatureValueXml = (m: SignatureModel): string =>
  `<ds:SignatureValue Id="${ids(m.id).signatureValue}">${m.signatureValue}</ds:SignatureValue>`;

/** The ds:Signature element. */
export function signatureXml(m: SignatureModel): string {
  const i = ids(m.id);
  return (
    `<ds:Signature xmlns:ds="${NS.ds}" Id="${i.signature}">${m.signedInfo}` +
    `${signatureValueXml(m)}${m.keyInfo}` +
    `<ds:Object><xades:QualifyingProperties xmlns:xades="${NS.xades}" xmlns:xades141="${NS.xades141}" Target="#${i.signature}">` +
    `${m.signedProperties}${unsignedXml(m.unsigned)}</xades:QualifyingProperties></ds:Object>${m.dataObject}</ds:Signature>`
  );
}

export const render = (m: SignatureModel): string => `${m.before}${signatureXml(m)}${m.after}`;

/** ds:KeyInfo with the signer's chain (signer first), so verifiers can build the path. */
export const keyInfoXml = (chain: readonly Uint8Array[]): string =>
  `<ds:KeyInfo><ds:X509Data>${chain
    .map((c) => `<ds:X509Certificate>${Buffer.from(c).toString('base64')}</ds:X509Certificate>`)
    .join('')}</ds:X509Data></ds:KeyInfo>`;
