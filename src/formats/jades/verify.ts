/**
 * Verifying what prepareJades produces, as a pipeline of small steps (sigstore-js style): parse →
 * signer certificate and chain → signature → detached document → unsigned properties. Any failure
 * throws jades_malformed (cannot be read) or jades_invalid (does not verify). Trust in the root and
 * revocation status are validation/'s to judge; this says the signature is intact and consistent.
 */
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { HASHES, type HashName, KEY_TYPES, keyTypeOfKeyObject, verifySignature } from '../../keys/index.js';
import type { AdesLevel, ValidationData } from '../ports.js';
import type { JwsAlg } from './alg.js';
import { b64url, fromB64url, fromJwsSignature } from './codec.js';
import { JADES_HASH_IDS } from './header.js';
import { type ParsedJws, parseJws } from './parse.js';
import { type StampReport, verifyUnsigned } from './verify-unsigned.js';

export interface JadesVerifyOptions {
  /** The document of a detached signature (sigD). */
  readonly detachedPayload?: Uint8Array;
}

export interface JadesVerification {
  readonly level: AdesLevel;
  readonly alg: JwsAlg;
  readonly signingTime: Date;
  /** x5c: the signer's certificate first. */
  readonly chain: Buffer[];
  /** The signed document: the attached payload, or the detached one that matched sigD. */
  readonly payload: Buffer;
  readonly detached: boolean;
  readonly timestamps: readonly StampReport[];
  readonly validationData?: ValidationData;
}

const invalid = (detail: string) => new ShomeiError('jades_invalid', { detail });

export async function verifyJades(
  input: Uint8Array | string,
  opts: JadesVerifyOptions = {},
): Promise<JadesVerification> {
  const jws = parseJws(input);
  const { header } = jws;
  const signerCert = checkCertificates(jws);
  checkSignature(jws, signerCert);
  const payload = signedDocument(jws, opts.detachedPayload);
  const unsigned = await verifyUnsigned(jws, b64url(payload));
  return {
    level: unsigned.level,
    alg: header.jws.alg,
    signingTime: header.signingTime,
    chain: header.chain,
    payload,
    detached: header.sigD !== undefined,
    timestamps: unsigned.timestamps,
    ...(unsigned.validationData ? { validationData: unsigned.validationData } : {}),
  };
}

/** x5t#S256 names x5c[0] (RFC 7515 §4.1.8); each certificate is signed by the next; sigT within validity. */
function checkCertificates({ header }: ParsedJws): X509Certificate {
  let certs: X509Certificate[];
  try {
    certs = header.chain.map((der) => new X509Certificate(der));
  } catch {
    throw new ShomeiError('jades_malformed', { detail: 'x5c holds something that is not a certificate' });
  }
  const [signer] = certs as [X509Certificate];
  const thumbprint = createHash('sha256')
    .update(header.chain[0] as Buffer)
    .digest();
  if (header.x5tS256.length !== 32 || !timingSafeEqual(thumbprint, header.x5tS256)) {
    throw invalid('x5t#S256 does not match the signing certificate');
  }
  for (let i = 0; i + 1 < certs.length; i++) {
    const [cert, issuer] = [certs[i] as X509Certificate, certs[i + 1] as X509Certificate];
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey))
      throw invalid(`x5c[${i}] is not issued by x5c[${i + 1}]`);
  }
  const t = header.signingTime.getTime();
  if (t < Date.parse(signer.validFrom) || t > Date.parse(signer.validTo)) {
    throw invalid('sigT is outside the validity of the signing certificate');
  }
  return signer;
}

/** RFC 7515 §5.2: the JWS Signature over ASCII(protected '.' payload), with the key the alg implies. */
function checkSignature({ header, protectedB64, payloadB64, signatureB64 }: ParsedJws, signer: X509Certificate): void {
  const { jws } = header;
  const keyType = keyTypeOfKeyObject(signer.publicKey);
  const info = KEY_TYPES[keyType];
  if (info.family !== (jws.scheme === 'ecdsa' ? 'ec' : 'rsa') || (jws.curve && jws.curve !== info.curve)) {
    throw invalid(`alg ${jws.alg} does not fit the ${keyType} key of the certificate`);
  }
  if (header.sigD && payloadB64 !== '') throw invalid('sigD with a non-empty JWS Payload');
  const signature = fromJwsSignature(jws, fromB64url(signatureB64, 'signature'));
  const ok =
    signature !== undefined &&
    verifySignature({
      spki: signer.publicKey.export({ type: 'spki', format: 'der' }),
      scheme: jws.scheme,
      hash: jws.hash,
      message: Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii'),
      signature,
      // RFC 7518 §3.5: the salt is as long as the hash.
      ...(jws.scheme === 'rsa-pss' ? { saltLength: HASHES[jws.hash].length } : {}),
    });
  if (!ok) throw invalid('the JWS Signature does not verify');
}

/** The attached payload, or the detached document checked against sigD.hashV (§5.2.8.3.3). */
function signedDocument({ header, payloadB64 }: ParsedJws, detached: Uint8Array | undefined): Buffer {
  const { sigD } = header;
  if (!sigD) {
    if (detached) throw invalid('a detached document was given for an attached signature');
    return fromB64url(payloadB64, 'payload');
  }
  if (!detached) throw invalid('the detached document is needed to verify sigD');
  const hash = (Object.keys(JADES_HASH_IDS) as HashName[]).find((h) => JADES_HASH_IDS[h] === sigD.hashM);
  if (!hash) throw new ShomeiError('unsupported_algorithm', { detail: `sigD.hashM ${sigD.hashM}` });
  const digest = createHash(HASHES[hash].node).update(b64url(detached), 'ascii').digest();
  const claimed = fromB64url(sigD.hashV[0], 'sigD.hashV');
  if (claimed.length !== digest.length || !timingSafeEqual(claimed, digest)) {
    throw invalid('the detached document does not match sigD');
  }
  return Buffer.from(detached);
}
