/** B-LT values (EN 319 132-1 §5.4.1, §5.4.2): each certificate, CRL and OCSP response must parse. */
import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { CertificateRevocationList, OCSPResponse } from 'pkijs';
import { ShomeiError } from '../../errors.js';
import { NS } from './algorithms.js';
import { allElements, base64Text } from './dom.js';

export interface LongTermValues {
  readonly certificates: readonly Buffer[];
  readonly ocspResponses: readonly Buffer[];
  readonly crls: readonly Buffer[];
}

const values = (props: readonly Element[], local: string): Buffer[] =>
  props
    .flatMap((p) => allElements(p))
    .filter((e) => e.namespaceURI === NS.xades && e.localName === local)
    .map(base64Text);

function parses(what: string, parse: () => unknown): void {
  try {
    parse();
  } catch {
    throw new ShomeiError('xades_signature_invalid', { detail: `an encapsulated ${what} cannot be read` });
  }
}

/** Values from CertificateValues, RevocationValues and TimeStampValidationData; undefined if none. */
export function checkLongTermValues(props: readonly Element[]): LongTermValues | undefined {
  const holders = props.filter(
    (p) =>
      (p.namespaceURI === NS.xades && (p.localName === 'CertificateValues' || p.localName === 'RevocationValues')) ||
      (p.namespaceURI === NS.xades141 && p.localName === 'TimeStampValidationData'),
  );
  if (holders.length === 0) return undefined;
  const certificates = values(holders, 'EncapsulatedX509Certificate');
  const crls = values(holders, 'EncapsulatedCRLValue');
  const ocspResponses = values(holders, 'EncapsulatedOCSPValue');
  for (const c of certificates) parses('certificate', () => new X509Certificate(c));
  for (const c of crls) parses('CRL', () => CertificateRevocationList.fromBER(c));
  for (const o of ocspResponses) {
    parses('OCSP response', () => {
      const r = OCSPResponse.fromBER(o);
      if (r.responseStatus.valueBlock.valueDec !== 0) throw new Error('not successful');
    });
  }
  return { certificates, ocspResponses, crls };
}
