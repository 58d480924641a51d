/**
 * CertID (RFC 6960 §4.1.1): the hash algorithms a request may use, the hashes of an issuer's name
 * and key under each, and the canonical encoding this responder pre-generates answers for.
 */
import { createHash } from 'node:crypto';
import { Certificate, PublicKeyInfo } from 'pkijs';
import { HASHES } from '../../keys/index.js';
import { oid, positiveInteger, TAG, tlv } from './der.js';

export interface CertIdHash {
  /** node:crypto name. */
  readonly name: string;
  readonly oid: string;
  readonly length: number;
  /** The AlgorithmIdentifier with NULL parameters, as openssl and RFC 5019 clients send it. */
  readonly algorithmDer: Buffer;
}

const hash = (name: string, dotted: string, length: number): CertIdHash => ({
  name,
  oid: dotted,
  length,
  algorithmDer: tlv(TAG.sequence, oid(dotted), Buffer.of(TAG.null, 0)),
});

/**
 * SHA-1, which RFC 5019 §2.1.1 clients MUST use (and openssl sends by default), and the SHA-2
 * family of keys/'s algorithm table. SHA-1 is safe here: a CertID names an issuer, it signs nothing.
 */
export const CERT_ID_HASHES: readonly CertIdHash[] = [
  hash('sha1', '1.3.14.3.2.26', 20),
  ...Object.values(HASHES).map((h) => hash(h.node, h.oid, h.length)),
];

export const SHA1 = CERT_ID_HASHES[0] as CertIdHash;

/** The hash whose OBJECT IDENTIFIER TLV is these bytes. */
const byOidDer = new Map(CERT_ID_HASHES.map((h) => [oid(h.oid).toString('hex'), h]));
export const hashByOidDer = (oidTlv: Uint8Array): CertIdHash | undefined =>
  byOidDer.get(Buffer.from(oidTlv).toString('hex'));

/** issuerNameHash and issuerKeyHash of an issuer certificate under one algorithm. */
export interface IssuerHashes {
  readonly hash: CertIdHash;
  readonly nameHash: Buffer;
  readonly keyHash: Buffer;
}

/**
 * RFC 6960 §4.1.1: the hash of the issuer's DN as encoded in its certificate, and of the value of
 * its subjectPublicKey BIT STRING (without tag, length and unused-bits octet).
 */
export function issuerHashes(certificateDer: Uint8Array): IssuerHashes[] {
  const c = Certificate.fromBER(certificateDer);
  const name = new Uint8Array(c.subject.valueBeforeDecode);
  const key = c.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return CERT_ID_HASHES.map((h) => ({
    hash: h,
    nameHash: createHash(h.name).update(name).digest(),
    keyHash: createHash(h.name).update(key).digest(),
  }));
}

/** The CertID this responder writes for a serial: NULL hash parameters, minimal INTEGER. */
export const canonicalCertId = (h: IssuerHashes, serialHex: string): Buffer =>
  tlv(
    TAG.sequence,
    h.hash.algorithmDer,
    tlv(TAG.octetString, h.nameHash),
    tlv(TAG.octetString, h.keyHash),
    positiveInteger(serialHex),
  );

/** RFC 6960 §4.2.1 KeyHash (ResponderID byKey): SHA-1 of the subjectPublicKey bits of a SubjectPublicKeyInfo. */
export const keyHash = (spki: Uint8Array): Buffer =>
  createHash('sha1').update(PublicKeyInfo.fromBER(spki).subjectPublicKey.valueBlock.valueHexView).digest();
