/**
 * B-LT (EN 319 122-1 §6.3 baseline LT): certificates and revocation data go into
 * SignedData.certificates and SignedData.crls — the place EN 319 122-1 §5.5.3 prefers, because
 * archive-time-stamp-v3 covers them through ats-hash-index-v3, and the place both `openssl cms`
 * (untrusted certificates, CRLs) and EU DSS read. The certificate-values / revocation-values
 * attributes (RFC 5126 §6.3.3/§6.3.4) would be left outside that index and openssl ignores them.
 * OCSP responses are RevocationInfoChoice `other` with id-ri-ocsp-response (RFC 5940 §4.1).
 */
import { ShomeiError } from '../../errors.js';
import {
  bytesOf,
  CMS_OID,
  children,
  integer,
  oid,
  readSignedData,
  setOf,
  splice,
  TAG,
  type Tlv,
  tlv,
} from '../cms/index.js';
import { uniqueDer as unique } from '../ltv/index.js';
import type { ValidationData } from '../ports.js';

/** OtherRevocationInfoFormat ::= SEQUENCE { otherRevInfoFormat, otherRevInfo } as [1] IMPLICIT (RFC 5652 §10.2.1). */
export const ocspRevocationInfo = (ocspResponse: Uint8Array): Uint8Array =>
  tlv(TAG.ctx1, oid(CMS_OID.riOcspResponse), ocspResponse);

/** Merges validation data into SignedData.certificates / crls; nothing signed or time-stamped changes. */
export function addValidationData(cms: Uint8Array, data: readonly ValidationData[]): Uint8Array {
  const v = readSignedData(cms);
  const der = v.der;
  const old = (t: Tlv | undefined): Uint8Array[] => (t ? children(der, t).map((c) => bytesOf(der, c)) : []);
  const certificates = unique([...old(v.certificates), ...data.flatMap((d) => d.certificates)]);
  const crls = unique([
    ...old(v.crls),
    ...data.flatMap((d) => d.crls),
    ...data.flatMap((d) => d.ocspResponses.map(ocspRevocationInfo)),
  ]);
  const fields = children(der, v.path[2]);
  const [, digestAlgorithms, encap] = fields;
  if (!digestAlgorithms || !encap) throw new ShomeiError('cms_malformed', { detail: 'SignedData fields' });
  // RFC 5652 §5.1: version 5 once a RevocationInfoChoice of type `other` is present.
  const hasOther = crls.some((c) => c[0] === TAG.ctx1);
  const version = hasOther ? 5 : Number(der[(fields[0] as Tlv).body]);
  const signedData = tlv(
    TAG.sequence,
    integer(version),
    bytesOf(der, digestAlgorithms),
    bytesOf(der, encap),
    ...(certificates.length ? [setOf(certificates, TAG.ctx0)] : []),
    ...(crls.length ? [setOf(crls, TAG.ctx1)] : []),
    bytesOf(der, v.signerInfos),
  );
  return splice(der, v.path, signedData);
}
