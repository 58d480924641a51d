/**
 * Checking a time-stamp token from another TSA before anything is built on it (RFC 3161 §2.4.2;
 * RFC 5816; RFC 5652 §5.4–5.6), as a pipeline of named steps over pkijs's reading of the token:
 * content → imprint → nonce → signer certificate (ESSCertIDv2 / ESSCertID, critical timeStamping
 * EKU) → signed attributes → signature → chain to the trust anchors at genTime. Each step refuses
 * with tsa_response_invalid and says which check failed.
 */
import { createHash, createPublicKey } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Certificate, CertificateChainValidationEngine, type SignedData, type SignerInfo, type TSTInfo } from 'pkijs';
import { CMS_OID, readTimestampToken } from '../formats/cms/index.js';
import {
  type HashAlgorithm,
  keyTypeOfKeyObject,
  OID,
  type ResolvedSignature,
  resolveSignature,
  verifySignature,
} from '../keys/index.js';
import { knownHash } from './check.js';
import { checkSignerCertificate, findSigner, invalid } from './verify-signer.js';

export interface TokenExpectation {
  readonly hash: HashAlgorithm;
  readonly digest: Uint8Array;
  /** Content octets of the nonce sent, when one was. */
  readonly nonce?: Uint8Array;
  /** DER certificates trusted to issue TSA certificates; none = the chain is the caller's to judge. */
  readonly trustAnchors?: readonly Uint8Array[];
}

export interface VerifiedToken {
  readonly genTime: Date;
  /** Hex of the serial number's content octets. */
  readonly serial: string;
  readonly signerCertificate: Uint8Array;
}

const ECDSA_WITH = { 'SHA-256': OID.ecdsaWithSHA256, 'SHA-384': OID.ecdsaWithSHA384, 'SHA-512': OID.ecdsaWithSHA512 };
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
/** Two INTEGER encodings of one value, whatever their leading zeros. */
const sameInteger = (a: Uint8Array, b: Uint8Array) =>
  same(Buffer.from(a).subarray(a.findIndex((x) => x !== 0)), Buffer.from(b).subarray(b.findIndex((x) => x !== 0)));

function checkContent(tst: TSTInfo, expect: TokenExpectation): void {
  const imprint = tst.messageImprint;
  if (tst.version !== 1) throw invalid('TSTInfo version');
  if (imprint.hashAlgorithm.algorithmId !== expect.hash.oid) throw invalid('imprint hash algorithm');
  if (!same(imprint.hashedMessage.valueBlock.valueHexView, expect.digest)) throw invalid('imprint differs');
  if (expect.nonce && !(tst.nonce && sameInteger(tst.nonce.valueBlock.valueHexView, expect.nonce))) {
    throw invalid('nonce differs');
  }
}

/** The scheme of the SignerInfo's signatureAlgorithm, asked of the one algorithm table (keys/signature.ts). */
function signatureScheme(si: SignerInfo, spki: Uint8Array, hash: HashAlgorithm): ResolvedSignature {
  let algo = si.signatureAlgorithm.algorithmId;
  // Some TSAs name the key's algorithm instead of the signature's (RFC 5753 §2.1.1 allows it for EC).
  if (algo === OID.ecPublicKey) algo = ECDSA_WITH[hash.name];
  const params = si.signatureAlgorithm.algorithmParams as asn1js.AsnType | undefined;
  try {
    return resolveSignature({
      keyType: keyTypeOfKeyObject(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' })),
      signAlgo: algo,
      hashAlgorithmOID: hash.oid,
      ...(algo === OID.rsassaPss && params ? { signAlgoParams: new Uint8Array(params.toBER(false)) } : {}),
    });
  } catch {
    throw invalid('signature algorithm');
  }
}

/** The signature over DER(SET OF signedAttrs) by the signer certificate's key (RFC 5652 §5.4). */
function checkSignature(sd: SignedData, cert: Certificate, content: Uint8Array): void {
  const si = sd.signerInfos[0];
  const attrs = si?.signedAttrs;
  if (!si || sd.signerInfos.length !== 1 || !attrs) throw invalid('one SignerInfo with signed attributes');
  const hash = knownHash(si.digestAlgorithm.algorithmId);
  if (!hash) throw invalid('digest algorithm');
  const value = (type: string) => attrs.attributes.find((a) => a.type === type)?.values[0];
  const contentType = value(CMS_OID.contentType);
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== CMS_OID.tstInfo)
    throw invalid('content-type attribute');
  const digest = value(CMS_OID.messageDigest);
  const actual = createHash(hash.node).update(content).digest();
  if (!(digest instanceof asn1js.OctetString) || !same(digest.valueBlock.valueHexView, actual))
    throw invalid('message-digest attribute');
  const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  const sig = signatureScheme(si, spki, hash);
  const ok = verifySignature({
    spki,
    scheme: sig.scheme,
    hash: sig.hash.name,
    message: new Uint8Array(attrs.encodedValue),
    signature: new Uint8Array(si.signature.valueBlock.valueHexView),
    ...(sig.saltLength !== undefined ? { saltLength: sig.saltLength } : {}),
  });
  if (!ok) throw invalid('signature does not verify');
}

async function checkChain(sd: SignedData, cert: Certificate, at: Date, anchors: readonly Uint8Array[]) {
  const engine = new CertificateChainValidationEngine({
    trustedCerts: anchors.map((a) => Certificate.fromBER(a)),
    certs: [...(sd.certificates ?? []).filter((c): c is Certificate => c instanceof Certificate), cert],
    checkDate: at,
  });
  const result = await engine.verify().catch(() => ({ result: false }));
  if (!result.result) throw invalid('the TSA certificate does not chain to a trust anchor');
}

export async function verifyToken(token: Uint8Array, expect: TokenExpectation): Promise<VerifiedToken> {
  const { signed: sd, tstInfo: tst, content } = readTimestampToken(token, invalid);
  checkContent(tst, expect);
  const cert = findSigner(sd);
  checkSignature(sd, cert, content);
  checkSignerCertificate(sd, cert, tst.genTime);
  if (expect.trustAnchors && expect.trustAnchors.length > 0)
    await checkChain(sd, cert, tst.genTime, expect.trustAnchors);
  return {
    genTime: tst.genTime,
    serial: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString('hex'),
    signerCertificate: new Uint8Array(cert.toSchema().toBER(false)),
  };
}
