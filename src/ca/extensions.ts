/** X.509 v3 extensions of the local CA's profiles (RFC 5280 §4.2.1), built with pkijs. */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  AccessDescription,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Extension,
  GeneralName,
  InfoAccess,
  PublicKeyInfo,
} from 'pkijs';

const ext = (extnID: string, critical: boolean, value: asn1js.BaseBlock): Extension =>
  new Extension({ extnID, critical, extnValue: value.toBER(false) });

/** RFC 5280 §4.2.1.9; for a CA, critical. cA FALSE is the DEFAULT and so encodes as an empty SEQUENCE. */
export const basicConstraints = (cA: boolean): Extension =>
  ext('2.5.29.19', true, new BasicConstraints({ cA }).toSchema());

export const KeyUsageBit = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5, cRLSign: 6 } as const;

/** RFC 5280 §4.2.1.3, critical. DER named-bit-list: trailing zero bits are dropped (X.690 §11.2.2). */
export function keyUsage(bits: readonly number[]): Extension {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] as number) | (0x80 >> (b & 7));
  const unusedBits = 7 - (highest & 7);
  return ext('2.5.29.15', true, new asn1js.BitString({ valueHex: bytes, unusedBits }));
}

/** RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 over the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spki: Uint8Array): Buffer {
  const bits = PublicKeyInfo.fromBER(spki).subjectPublicKey.valueBlock.valueHexView;
  return createHash('sha256').update(bits).digest().subarray(0, 20);
}

/** RFC 5280 §4.2.1.2, non-critical. */
export const subjectKeyIdentifier = (keyId: Uint8Array): Extension =>
  ext('2.5.29.14', false, new asn1js.OctetString({ valueHex: keyId }));

/** RFC 5280 §4.2.1.1, non-critical; keyIdentifier form. */
export const authorityKeyIdentifier = (keyId: Uint8Array): Extension =>
  ext(
    '2.5.29.35',
    false,
    new AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyId }) }).toSchema(),
  );

/** RFC 5280 §4.2.2.1: id-ad-caIssuers, where relying parties can fetch the issuing certificate. */
export const caIssuers = (url: string): Extension =>
  ext(
    '1.3.6.1.5.5.7.1.1',
    false,
    new InfoAccess({
      accessDescriptions: [
        new AccessDescription({
          accessMethod: '1.3.6.1.5.5.7.48.2',
          accessLocation: new GeneralName({ type: 6, value: url }),
        }),
      ],
    }).toSchema(),
  );
