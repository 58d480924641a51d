/**
 * OCSPRequest parsing (RFC 6960 §4.1.1), once, at the edge: DER in, typed CertIDs out, or a
 * `malformedRequest`. The optional signature is not checked (no request needs to be signed here,
 * RFC 6960 §4.1.2), and no request extension is honoured — so a critical one is refused (§4.4).
 * The nonce (§4.4.1) is therefore ignored: see responder.ts for why.
 */

import { serialHex } from '../registry.js';
import { type CertIdHash, hashByOidDer } from './cert-id.js';
import {
  children,
  contentOf,
  ctx,
  DerError,
  encodingOf,
  expectOid,
  expectTag,
  readWhole,
  TAG,
  type Tlv,
} from './der.js';

/** Requests larger than this are refused before parsing (RFC 5019 §5 requests are ~100 bytes). */
export const MAX_REQUEST_BYTES = 10 * 1024;
/** CertIDs answered per request; each costs a registry lookup. */
export const MAX_CERT_IDS = 20;

export interface CertId {
  /** The CertID as sent: echoed in the answer (RFC 6960 §4.2.1) and part of the cache key. */
  readonly der: Buffer;
  /** undefined for a hash algorithm not in CERT_ID_HASHES (no CA of ours can match it). */
  readonly hash: CertIdHash | undefined;
  readonly issuerNameHash: Buffer;
  readonly issuerKeyHash: Buffer;
  /** The registry's spelling (registry.ts serialHex). */
  readonly serial: string;
}

export interface OcspRequest {
  readonly certIds: readonly CertId[];
}

export class MalformedRequest extends Error {}

/** Throws MalformedRequest for anything that is not a DER OCSPRequest within the limits. */
export function parseOcspRequest(der: Uint8Array): OcspRequest {
  if (der.length === 0 || der.length > MAX_REQUEST_BYTES) throw new MalformedRequest('size');
  try {
    return parse(der);
  } catch (e) {
    if (e instanceof DerError) throw new MalformedRequest(e.message);
    throw e;
  }
}

function parse(buf: Uint8Array): OcspRequest {
  // OCSPRequest ::= SEQUENCE { tbsRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
  const [tbs, signature, ...rest] = children(buf, readWhole(buf, TAG.sequence));
  if (rest.length > 0 || (signature && signature.tag !== ctx(0))) throw new DerError('OCSPRequest');
  // TBSRequest ::= SEQUENCE { version [0] DEFAULT v1, requestorName [1] OPTIONAL, requestList, requestExtensions [2] OPTIONAL }
  const fields = children(buf, expectTag(tbs, TAG.sequence));
  let i = 0;
  if (fields[i]?.tag === ctx(0)) checkVersion(buf, fields[i++] as Tlv);
  if (fields[i]?.tag === ctx(1)) i++;
  const list = children(buf, expectTag(fields[i++], TAG.sequence));
  if (fields[i]?.tag === ctx(2)) checkExtensions(buf, fields[i++] as Tlv);
  if (i !== fields.length) throw new DerError('TBSRequest');
  if (list.length === 0 || list.length > MAX_CERT_IDS) throw new DerError('requestList size');
  return { certIds: list.map((r) => request(buf, r)) };
}

/** Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL } */
function request(buf: Uint8Array, r: Tlv): CertId {
  const [reqCert, exts, ...rest] = children(buf, expectTag(r, TAG.sequence));
  if (rest.length > 0) throw new DerError('Request');
  if (exts) checkExtensions(buf, expectTag(exts, ctx(0)));
  return certId(buf, expectTag(reqCert, TAG.sequence));
}

/** CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash OCTET STRING, issuerKeyHash OCTET STRING, serialNumber INTEGER } */
function certId(buf: Uint8Array, t: Tlv): CertId {
  const [alg, nameHash, keyHash, serial, ...rest] = children(buf, t);
  if (rest.length > 0) throw new DerError('CertID');
  const [algOid, params, ...more] = children(buf, expectTag(alg, TAG.sequence));
  if (more.length > 0 || (params && (params.tag !== TAG.null || params.end !== params.valueStart))) {
    throw new DerError('hashAlgorithm');
  }
  const number = contentOf(buf, expectTag(serial, TAG.integer));
  if (number.length === 0) throw new DerError('serialNumber');
  return {
    der: Buffer.from(encodingOf(buf, t)),
    hash: hashByOidDer(encodingOf(buf, expectOid(buf, algOid))),
    issuerNameHash: Buffer.from(contentOf(buf, expectTag(nameHash, TAG.octetString))),
    issuerKeyHash: Buffer.from(contentOf(buf, expectTag(keyHash, TAG.octetString))),
    serial: serialHex(number),
  };
}

/** version [0] EXPLICIT INTEGER: only v1 (0) exists. */
function checkVersion(buf: Uint8Array, t: Tlv): void {
  const [v, ...rest] = children(buf, t);
  const value = contentOf(buf, expectTag(v, TAG.integer));
  if (rest.length > 0 || value.length !== 1 || value[0] !== 0) throw new DerError('version');
}

/**
 * [n] EXPLICIT Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension { extnID, critical BOOLEAN
 * DEFAULT FALSE, extnValue OCTET STRING }. None is honoured, so a critical one is refused (§4.4).
 */
function checkExtensions(buf: Uint8Array, wrapper: Tlv): void {
  const [seq, ...rest] = children(buf, wrapper);
  const list = children(buf, expectTag(seq, TAG.sequence));
  if (rest.length > 0 || list.length === 0) throw new DerError('Extensions');
  for (const e of list) {
    const [id, second, third, ...more] = children(buf, expectTag(e, TAG.sequence));
    expectOid(buf, id);
    const critical = second?.tag === TAG.boolean ? contentOf(buf, second) : undefined;
    expectTag(critical ? third : second, TAG.octetString);
    if (more.length > 0 || (critical && third === undefined) || (!critical && third !== undefined)) {
      throw new DerError('Extension');
    }
    if (critical && (critical.length !== 1 || critical[0] !== 0)) throw new DerError('critical extension');
  }
}
