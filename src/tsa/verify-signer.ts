/**
 * The signer of a token from another TSA: the certificate its SignerInfo names, bound by the signed
 * signing-certificate(-v2) attribute (RFC 5816 §2.2.1: ESSCertIDv2; RFC 3161 §2.4.2 allowed
 * ESSCertID with SHA-1), with the one critical extended key usage id-kp-timeStamping (§2.3), valid
 * at genTime.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Certificate, IssuerAndSerialNumber, type SignedData } from 'pkijs';
import { ShomeiError } from '../errors.js';
import { CMS_OID } from '../formats/cms/index.js';
import { OID } from '../keys/index.js';
import { knownHash } from './check.js';

const EXT_KEY_USAGE = '2.5.29.37';
/** id-aa-signingCertificate (RFC 2634 §5.4): ESSCertID with a SHA-1 certHash. */
const SIGNING_CERTIFICATE_V1 = '1.2.840.113549.1.9.16.2.12';
const SHA1 = '1.3.14.3.2.26';

export const invalid = (detail: string): ShomeiError => new ShomeiError('tsa_response_invalid', { detail });

const certificates = (sd: SignedData): Certificate[] =>
  (sd.certificates ?? []).filter((c): c is Certificate => c instanceof Certificate);

/** The certificate the SignerInfo's sid names (issuerAndSerialNumber or subjectKeyIdentifier). */
export function findSigner(sd: SignedData): Certificate {
  const sid = sd.signerInfos[0]?.sid;
  const found = certificates(sd).find((c) => {
    if (sid instanceof IssuerAndSerialNumber)
      return c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber);
    const ski = c.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
    const wanted = (sid as asn1js.Constructed | undefined)?.valueBlock?.value?.[0] as asn1js.OctetString | undefined;
    return (
      !!ski && !!wanted && Buffer.from(ski.valueBlock.valueHexView).equals(Buffer.from(wanted.valueBlock.valueHexView))
    );
  });
  // RFC 3161 §2.4.1: we always send certReq, so the TSA's certificate must be in the token.
  if (!found) throw invalid('the signer certificate is not in the token');
  return found;
}

/** certHash of the first ESSCertID(v2), with its hash algorithm (v2 DEFAULT: SHA-256, RFC 5035 §4). */
function essCertHash(sd: SignedData): { oid: string; hash: Uint8Array } {
  const attrs = sd.signerInfos[0]?.signedAttrs?.attributes ?? [];
  const v2 = attrs.find((a) => a.type === CMS_OID.signingCertificateV2);
  const v1 = attrs.find((a) => a.type === SIGNING_CERTIFICATE_V1);
  const value = (v2 ?? v1)?.values[0] as asn1js.Sequence | undefined;
  const first = (value?.valueBlock.value[0] as asn1js.Sequence | undefined)?.valueBlock.value[0] as
    | asn1js.Sequence
    | undefined;
  const parts = first?.valueBlock.value ?? [];
  if (!v2 && !v1) throw invalid('no signing-certificate attribute');
  if (v1) {
    const h = parts[0];
    if (!(h instanceof asn1js.OctetString)) throw invalid('ESSCertID');
    return { oid: SHA1, hash: new Uint8Array(h.valueBlock.valueHexView) };
  }
  const alg =
    parts[0] instanceof asn1js.Sequence ? (parts[0].valueBlock.value[0] as asn1js.ObjectIdentifier) : undefined;
  const h = parts.find((p): p is asn1js.OctetString => p instanceof asn1js.OctetString);
  if (!h) throw invalid('ESSCertIDv2');
  return { oid: alg ? alg.valueBlock.toString() : OID.sha256, hash: new Uint8Array(h.valueBlock.valueHexView) };
}

export function checkSignerCertificate(sd: SignedData, cert: Certificate, genTime: Date): void {
  const der = Buffer.from(cert.toSchema().toBER(false));
  const ess = essCertHash(sd);
  const node = ess.oid === SHA1 ? 'sha1' : knownHash(ess.oid)?.node;
  if (!node || !createHash(node).update(der).digest().equals(Buffer.from(ess.hash))) {
    throw invalid('the signing-certificate attribute does not name the signer certificate');
  }
  const eku = cert.extensions?.find((e) => e.extnID === EXT_KEY_USAGE);
  const purposes = (eku?.parsedValue as { keyPurposes?: string[] } | undefined)?.keyPurposes ?? [];
  if (!eku?.critical || purposes.length !== 1 || purposes[0] !== CMS_OID.kpTimeStamping) {
    throw invalid('the signer certificate is not a TSA certificate (critical EKU timeStamping only)');
  }
  if (genTime < cert.notBefore.value || genTime > cert.notAfter.value) {
    throw invalid('genTime is outside the TSA certificate validity');
  }
}
