/** X.509 v3 extensions of the local CA's profiles (RFC 5280 §4.2.1), built with pkijs. */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  AccessDescription,
  AltName,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CertificatePolicies,
  CRLDistributionPoints,
  DistributionPoint,
  Extension,
  ExtKeyUsage,
  GeneralName,
  InfoAccess,
  PolicyInformation,
  PublicKeyInfo,
} from 'pkijs';

const ext = (extnID: string, critical: boolean, value: asn1js.BaseBlock): Extension =>
  new Extension({ extnID, critical, extnValue: value.toBER(false) });

/** RFC 5280 §4.2.1.9; for a CA, critical. cA FALSE is the DEFAULT and so encodes as an empty SEQUENCE. */
export const basicConstraints = (cA: boolean, pathLenConstraint?: number): Extension =>
  ext(
    '2.5.29.19',
    true,
    new BasicConstraints({ cA, ...(pathLenConstraint !== undefined ? { pathLenConstraint } : {}) }).toSchema(),
  );

export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

/** RFC 5280 §4.2.1.12 purposes of the profiles (id-kp-*). */
export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

/** RFC 5280 §4.2.1.12; critical where the purpose must bind (RFC 3161 §2.3 for a TSA). */
export const extKeyUsage = (purposes: readonly string[], critical: boolean): Extension =>
  ext('2.5.29.37', critical, new ExtKeyUsage({ keyPurposes: [...purposes] }).toSchema());

/** RFC 5280 §4.2.1.13: where the issuer's CRL is published (a URI full name). */
export const crlDistributionPoint = (url: string): Extension =>
  ext(
    '2.5.29.31',
    false,
    new CRLDistributionPoints({
      distributionPoints: [new DistributionPoint({ distributionPoint: [new GeneralName({ type: 6, value: url })] })],
    }).toSchema(),
  );

/** RFC 5280 §4.2.1.4: the policy OIDs the certificate was issued under (non-critical). */
export const certificatePolicies = (oids: readonly string[]): Extension =>
  ext(
    '2.5.29.32',
    false,
    new CertificatePolicies({
      certificatePolicies: oids.map((policyIdentifier) => new PolicyInformation({ policyIdentifier })),
    }).toSchema(),
  );

/** RFC 6960 §4.2.2.2.1 id-pkix-ocsp-nocheck: a responder's own certificate is not checked by OCSP. */
export const ocspNoCheck = (): Extension => ext('1.3.6.1.5.5.7.48.1.5', false, new asn1js.Null());

/** RFC 5280 §4.2.1.6: DNS names (the service's TLS certificate). */
export const subjectAltDns = (names: readonly string[]): Extension =>
  ext(
    '2.5.29.17',
    false,
    new AltName({ altNames: names.map((value) => new GeneralName({ type: 2, value })) }).toSchema(),
  );

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

/**
 * RFC 5280 §4.2.2.1 Authority Information Access: id-ad-ocsp (where to ask for status) and
 * id-ad-caIssuers (where to fetch the issuing certificate).
 */
export function authorityInfoAccess(urls: { readonly ocsp?: string; readonly caIssuers?: string }): Extension {
  const at = (accessMethod: string, url: string) =>
    new AccessDescription({ accessMethod, accessLocation: new GeneralName({ type: 6, value: url }) });
  const accessDescriptions = [
    ...(urls.ocsp ? [at('1.3.6.1.5.5.7.48.1', urls.ocsp)] : []),
    ...(urls.caIssuers ? [at('1.3.6.1.5.5.7.48.2', urls.caIssuers)] : []),
  ];
  return ext('1.3.6.1.5.5.7.1.1', false, new InfoAccess({ accessDescriptions }).toSchema());
}

/** AIA with caIssuers only. */
export const caIssuers = (url: string): Extension => authorityInfoAccess({ caIssuers: url });
