/**
 * Where a certificate says its status and its issuer can be found (RFC 5280 §4.2.2.1 AIA,
 * §4.2.1.13 CRL distribution points), read with pkijs (@peculiar/x509 would need reflect-metadata).
 */
import { Certificate, CRLDistributionPoints, type GeneralName, InfoAccess } from 'pkijs';

export interface CertificateUrls {
  readonly ocsp: string[];
  readonly caIssuers: string[];
  readonly crl: string[];
}

const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_CDP = '2.5.29.31';
const OID_OCSP = '1.3.6.1.5.5.7.48.1';
const OID_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
/** GeneralName uniformResourceIdentifier [6]. */
const URI = 6;

const uri = (n: GeneralName): string[] => (n.type === URI && typeof n.value === 'string' ? [n.value] : []);

export function certificateUrls(der: Uint8Array): CertificateUrls {
  const cert = Certificate.fromBER(der);
  const ext = (id: string) => cert.extensions?.find((e) => e.extnID === id)?.parsedValue as unknown;
  const aia = ext(OID_AIA);
  const cdp = ext(OID_CDP);
  const access = aia instanceof InfoAccess ? aia.accessDescriptions : [];
  const pick = (method: string) =>
    access.filter((a) => a.accessMethod === method).flatMap((a) => uri(a.accessLocation));
  const crl =
    cdp instanceof CRLDistributionPoints
      ? cdp.distributionPoints.flatMap((dp) =>
          Array.isArray(dp.distributionPoint) ? dp.distributionPoint.flatMap(uri) : [],
        )
      : [];
  return { ocsp: pick(OID_OCSP), caIssuers: pick(OID_CA_ISSUERS), crl };
}
