/**
 * XML-DSig identifiers for what shomei's algorithm table allows (keys/signature.ts): the one place
 * XAdES turns a SignerIdentity into URIs (RFC 6931 §2.1.3, §2.2.2, §2.3.6; XML-DSig 1.1 §6.4).
 */
import { ShomeiError } from '../../errors.js';
import { HASHES, type HashAlgorithm, type HashName, type KeyType, type SchemeName } from '../../keys/index.js';
import { resolveSigner } from '../cms/index.js';
import type { SignerIdentity } from '../ports.js';

export const NS = {
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xades: 'http://uri.etsi.org/01903/v1.3.2#',
  xades141: 'http://uri.etsi.org/01903/v1.4.1#',
} as const;

/** Exclusive C14N 1.0 (without comments): SignedInfo, every transform and every time-stamp input. */
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
/** EN 319 132-1 §4.3.5.1 / XAdES §7.2.1: the Type of the Reference to SignedProperties. */
export const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';

export const DIGEST_URI: Readonly<Record<HashName, string>> = {
  'SHA-256': 'http://www.w3.org/2001/04/xmlenc#sha256',
  'SHA-384': 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'SHA-512': 'http://www.w3.org/2001/04/xmlenc#sha512',
};

/**
 * RFC 6931 §2.3.6 (ECDSA), §2.1.2/§2.3.2 (RSA PKCS#1 v1.5) and §2.3.10 (RSASSA-PSS "without
 * parameters": MGF1 with the same hash, salt length = hash length, trailer 1).
 */
const SIGNATURE_URI: Readonly<Record<SchemeName, Readonly<Record<HashName, string>>>> = {
  'rsa-pkcs1': {
    'SHA-256': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'SHA-384': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
    'SHA-512': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  },
  'rsa-pss': {
    'SHA-256': 'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
    'SHA-384': 'http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1',
    'SHA-512': 'http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1',
  },
  ecdsa: {
    'SHA-256': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
    'SHA-384': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
    'SHA-512': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
  },
};

export interface XmlSignatureMethod {
  readonly scheme: SchemeName;
  readonly hash: HashAlgorithm;
  readonly uri: string;
}

/**
 * The SignatureMethod for a signer whose key is of `keyType`, through the one algorithm resolver
 * (family, hash and PSS parameters checked there). RSASSA-PSS is offered only in the form RFC 6931
 * §2.3.10 names without parameters (salt length = hash length); the parameterised
 * `xmldsig-more#rsa-pss` form is refused, since few validators read it.
 */
export function signatureMethod(signer: SignerIdentity, keyType: KeyType): XmlSignatureMethod {
  const sig = resolveSigner(signer, keyType);
  if (sig.scheme === 'rsa-pss' && sig.saltLength !== sig.hash.length) {
    throw new ShomeiError('unsupported_algorithm', { detail: 'RSASSA-PSS in XAdES needs salt length = hash length' });
  }
  return { scheme: sig.scheme, hash: sig.hash, uri: SIGNATURE_URI[sig.scheme][sig.hash.name] };
}

/** The hash of a DigestMethod URI, or unsupported_algorithm (SHA-1 and others are not accepted). */
export function hashOfDigestUri(uri: string): HashAlgorithm {
  const name = (Object.keys(DIGEST_URI) as HashName[]).find((h) => DIGEST_URI[h] === uri);
  if (!name) throw new ShomeiError('unsupported_algorithm', { detail: `DigestMethod ${uri}` });
  return HASHES[name];
}

/** The scheme and hash of a SignatureMethod URI (verification). */
export function methodOfSignatureUri(uri: string): XmlSignatureMethod {
  for (const scheme of Object.keys(SIGNATURE_URI) as SchemeName[]) {
    for (const h of Object.keys(SIGNATURE_URI[scheme]) as HashName[]) {
      if (SIGNATURE_URI[scheme][h] === uri) return { scheme, hash: HASHES[h], uri };
    }
  }
  throw new ShomeiError('unsupported_algorithm', { detail: `SignatureMethod ${uri}` });
}
