/**
 * Our own check of a XAdES signature written by this module (FMT-1): every Reference digest and
 * the SignedInfo signature recomputed, the signed properties bound to this signature and to the
 * signing certificate, the signature time-stamp's imprint over canonical ds:SignatureValue, the
 * long-term values parsed, and each archive time-stamp's input recomputed (§5.5.2.2). Path
 * building and the time-stamp tokens' own CMS signatures are left to a validator (and to openssl
 * in the tests): this is the format's consistency check, not a trust decision.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { ShomeiError } from '../../errors.js';
import { coversData, readTimestampToken } from '../cms/index.js';
import type { AdesLevel } from '../ports.js';
import { hashOfDigestUri, methodOfSignatureUri, NS, SIGNED_PROPERTIES_TYPE } from './algorithms.js';
import { archiveTimeStampInput, unsignedSignatureProperties } from './archive.js';
import { canonicalElement, checkC14n } from './c14n.js';
import { allElements, base64Text, child, childElements, optionalChild } from './dom.js';
import { MAX_XML_BYTES, parseXml } from './parse.js';
import { type DetachedResolver, referenceOctets } from './references.js';
import { signerKey, verifyXmlSignature } from './signature-value.js';
import { issuerSerialV2 } from './signing-certificate.js';
import { checkLongTermValues, type LongTermValues } from './values.js';

export interface TimeStampCheck {
  readonly token: Buffer;
  /** The octets whose digest the token's imprint is (what `openssl ts -verify -data` takes). */
  readonly input: Buffer;
}

export interface XadesVerification {
  readonly level: AdesLevel;
  readonly signingTime: string;
  readonly signerCertificate: Buffer;
  readonly signatureTimeStamp?: TimeStampCheck;
  readonly values?: LongTermValues;
  readonly archiveTimeStamps: readonly TimeStampCheck[];
}

const bad = (detail: string): ShomeiError => new ShomeiError('xades_signature_invalid', { detail });

function equalDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function checkReference(ref: Element, octets: Buffer): void {
  const hash = hashOfDigestUri(child(ref, NS.ds, 'DigestMethod').getAttribute('Algorithm') ?? '');
  const expected = base64Text(child(ref, NS.ds, 'DigestValue'));
  if (!equalDigest(createHash(hash.node).update(octets).digest(), expected)) {
    throw bad(`digest mismatch for Reference URI="${ref.getAttribute('URI')}"`);
  }
}

function checkTimeStamp(el: Element, input: Buffer): TimeStampCheck {
  checkC14n(child(el, NS.ds, 'CanonicalizationMethod').getAttribute('Algorithm'));
  const token = base64Text(child(el, NS.xades, 'EncapsulatedTimeStamp'));
  const t = readTimestampToken(token, (detail) => bad(`time-stamp token: ${detail}`));
  if (!coversData(t, input)) {
    throw bad(`${el.localName} does not cover its input`);
  }
  return { token, input };
}

/** The signer's certificate: the KeyInfo certificate that SigningCertificateV2 names. */
function signingCertificate(signature: Element, signedProps: Element): Buffer {
  const cert = child(
    child(child(signedProps, NS.xades, 'SignedSignatureProperties'), NS.xades, 'SigningCertificateV2'),
    NS.xades,
    'Cert',
  );
  const certDigest = child(cert, NS.xades, 'CertDigest');
  const hash = hashOfDigestUri(child(certDigest, NS.ds, 'DigestMethod').getAttribute('Algorithm') ?? '');
  const want = base64Text(child(certDigest, NS.ds, 'DigestValue'));
  const x509Data = child(child(signature, NS.ds, 'KeyInfo'), NS.ds, 'X509Data');
  const der = childElements(x509Data, NS.ds, 'X509Certificate')
    .map(base64Text)
    .find((c) => equalDigest(createHash(hash.node).update(c).digest(), want));
  if (!der) throw bad('SigningCertificateV2 names no certificate in KeyInfo');
  const serial = optionalChild(cert, NS.xades, 'IssuerSerialV2');
  if (serial && !base64Text(serial).equals(issuerSerialV2(der))) throw bad('IssuerSerialV2 does not match');
  return der;
}

/** The one ds:Signature carrying XAdES qualifying properties. */
function findSignature(root: Element): { signature: Element; qp: Element } {
  const found = allElements(root).filter((e) => e.namespaceURI === NS.ds && e.localName === 'Signature');
  const withQp = found.flatMap((signature) =>
    childElements(signature, NS.ds, 'Object').flatMap((o) =>
      childElements(o, NS.xades, 'QualifyingProperties').map((qp) => ({ signature, qp })),
    ),
  );
  if (withQp.length !== 1) throw bad(`expected one XAdES signature, found ${withQp.length}`);
  return withQp[0] as { signature: Element; qp: Element };
}

export interface VerifyOptions {
  readonly detached?: DetachedResolver;
  readonly maxBytes?: number;
}

/** Every failure is a catalogue error: malformed parts (bad certificates, keys) included. */
export function verifyXades(signed: Uint8Array, opts: VerifyOptions = {}): XadesVerification {
  try {
    return verify(signed, opts);
  } catch (e) {
    if (e instanceof ShomeiError) throw e;
    throw bad('malformed signature');
  }
}

function verify(signed: Uint8Array, opts: VerifyOptions): XadesVerification {
  const { doc, root } = parseXml(signed, opts.maxBytes ?? MAX_XML_BYTES * 2);
  const { signature, qp } = findSignature(root);
  if (qp.getAttribute('Target') !== `#${signature.getAttribute('Id')}`) throw bad('QualifyingProperties Target');
  const signedInfo = child(signature, NS.ds, 'SignedInfo');
  checkC14n(child(signedInfo, NS.ds, 'CanonicalizationMethod').getAttribute('Algorithm'));
  const method = methodOfSignatureUri(child(signedInfo, NS.ds, 'SignatureMethod').getAttribute('Algorithm') ?? '');
  const refs = childElements(signedInfo, NS.ds, 'Reference');
  for (const ref of refs) checkReference(ref, referenceOctets(doc, signature, ref, opts.detached));
  // The typed reference must point at this signature's own SignedProperties (no wrapping).
  const signedProps = child(qp, NS.xades, 'SignedProperties');
  const spRefs = refs.filter((r) => r.getAttribute('Type') === SIGNED_PROPERTIES_TYPE);
  if (spRefs.length !== 1 || spRefs[0]?.getAttribute('URI') !== `#${signedProps.getAttribute('Id')}`) {
    throw bad('SignedProperties is not referenced from SignedInfo');
  }
  const cert = signingCertificate(signature, signedProps);
  const value = base64Text(child(signature, NS.ds, 'SignatureValue'));
  if (!verifyXmlSignature(method, signerKey(cert), canonicalElement(signedInfo), value)) {
    throw bad('SignatureValue does not verify');
  }
  const signingTime = child(child(signedProps, NS.xades, 'SignedSignatureProperties'), NS.xades, 'SigningTime');
  const result = { signingTime: signingTime.textContent ?? '', signerCertificate: cert };
  return { ...result, ...unsignedChecks(doc, signature, opts.detached ?? (() => undefined)) };
}

function unsignedChecks(
  doc: Parameters<typeof archiveTimeStampInput>[0],
  signature: Element,
  detached: DetachedResolver,
): Pick<XadesVerification, 'level' | 'signatureTimeStamp' | 'values' | 'archiveTimeStamps'> {
  const usp = unsignedSignatureProperties(signature);
  const props = usp ? childElements(usp) : [];
  const ts = props.find((p) => p.namespaceURI === NS.xades && p.localName === 'SignatureTimeStamp');
  if (!ts) return { level: 'B-B', archiveTimeStamps: [] };
  const signatureTimeStamp = checkTimeStamp(ts, canonicalElement(child(signature, NS.ds, 'SignatureValue')));
  const values = checkLongTermValues(props);
  const archive = props
    .filter((p) => p.namespaceURI === NS.xades141 && p.localName === 'ArchiveTimeStamp')
    .map((a) => checkTimeStamp(a, archiveTimeStampInput(doc, signature, detached, a)));
  const level: AdesLevel = archive.length ? 'B-LTA' : values ? 'B-LT' : 'B-T';
  return { level, signatureTimeStamp, archiveTimeStamps: archive, ...(values ? { values } : {}) };
}
