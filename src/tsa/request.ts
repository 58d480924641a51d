/**
 * TimeStampReq (RFC 3161 §2.4.1), once, at the edge: DER in, typed fields out, or a refusal with
 * badDataFormat. pkijs reads the structure; strictness comes from re-encoding the fields read and
 * requiring the very bytes received — DER has one encoding per value (X.690 §10), so any BER
 * variant (indefinite or long-form lengths, a TRUE that is not 0xFF, an explicit DEFAULT, a
 * constructed OCTET STRING) or trailing byte differs and is refused. The same encoder builds the
 * requests our external-TSA client sends.
 */
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, Extension, MessageImprint, TimeStampReq } from 'pkijs';
import { refuse, TsaRefusal } from './failure.js';

/** Requests larger than this are refused before parsing (a SHA-512 request with a nonce is ~120 bytes). */
export const MAX_REQUEST_BYTES = 16 * 1024;

export interface RequestExtension {
  readonly id: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** The fields of a TimeStampReq as sent; what they may contain is checked by the TSA (authority.ts). */
export interface TimeStampReqFields {
  readonly version: number;
  readonly hashOid: string;
  /** The AlgorithmIdentifier's parameters: absent or NULL are the two spellings in use (RFC 5754 §2). */
  readonly hashParams: 'absent' | 'null' | 'other';
  readonly hashedMessage: Uint8Array;
  readonly reqPolicy?: string;
  /** Content octets of the nonce INTEGER (two's complement, minimal), echoed as they came. */
  readonly nonce?: Uint8Array;
  readonly certReq: boolean;
  readonly extensions: readonly RequestExtension[];
}

/** DER of a TimeStampReq. */
export function encodeTimeStampReq(f: TimeStampReqFields): Buffer {
  const hashAlgorithm = new AlgorithmIdentifier({
    algorithmId: f.hashOid,
    ...(f.hashParams === 'null' ? { algorithmParams: new asn1js.Null() } : {}),
  });
  const req = new TimeStampReq({
    version: f.version,
    messageImprint: new MessageImprint({
      hashAlgorithm,
      hashedMessage: new asn1js.OctetString({ valueHex: f.hashedMessage }),
    }),
    ...(f.reqPolicy !== undefined ? { reqPolicy: f.reqPolicy } : {}),
    ...(f.nonce ? { nonce: new asn1js.Integer({ valueHex: f.nonce }) } : {}),
    certReq: f.certReq,
  });
  if (f.extensions.length > 0) {
    req.extensions = f.extensions.map(
      (e) => new Extension({ extnID: e.id, critical: e.critical, extnValue: e.value.slice().buffer }),
    );
  }
  return Buffer.from(req.toSchema().toBER(false));
}

/** Throws TsaRefusal(badDataFormat) for anything that is not one DER TimeStampReq. */
export function decodeTimeStampReq(der: Uint8Array): TimeStampReqFields {
  if (der.length === 0 || der.length > MAX_REQUEST_BYTES) return refuse('badDataFormat', 'request size');
  let fields: TimeStampReqFields;
  try {
    const asn1 = asn1js.fromBER(der);
    if (asn1.offset !== der.length) return refuse('badDataFormat', 'not a single DER value');
    fields = fieldsOf(new TimeStampReq({ schema: asn1.result }));
    if (!Buffer.from(der).equals(encodeTimeStampReq(fields))) return refuse('badDataFormat', 'not DER');
  } catch (e) {
    if (e instanceof TsaRefusal) throw e;
    return refuse('badDataFormat', 'not a TimeStampReq');
  }
  return fields;
}

function fieldsOf(req: TimeStampReq): TimeStampReqFields {
  const alg = req.messageImprint.hashAlgorithm;
  const params = alg.algorithmParams as asn1js.AsnType | undefined;
  const hashParams =
    params === undefined || params instanceof asn1js.Any ? 'absent' : params instanceof asn1js.Null ? 'null' : 'other';
  const nonce = req.nonce ? minimalInteger(req.nonce) : undefined;
  return {
    // A non-minimal version INTEGER re-encodes differently and is refused as not DER.
    version: req.version,
    hashOid: alg.algorithmId,
    hashParams,
    hashedMessage: new Uint8Array(req.messageImprint.hashedMessage.valueBlock.valueHexView),
    ...(req.reqPolicy !== undefined ? { reqPolicy: req.reqPolicy } : {}),
    ...(nonce ? { nonce } : {}),
    certReq: req.certReq === true,
    extensions: (req.extensions ?? []).map((e) => ({
      id: e.extnID,
      critical: e.critical,
      value: new Uint8Array(e.extnValue.valueBlock.valueHexView),
    })),
  };
}

/** X.690 §8.3.2: the first nine bits of an INTEGER's content are never all 0 or all 1. */
function minimalInteger(i: asn1js.Integer): Uint8Array {
  const v = new Uint8Array(i.valueBlock.valueHexView);
  const [a, b] = [v[0], v[1]];
  if (v.length === 0) return refuse('badDataFormat', 'empty INTEGER');
  if (b !== undefined && ((a === 0 && (b & 0x80) === 0) || (a === 0xff && (b & 0x80) !== 0))) {
    return refuse('badDataFormat', 'INTEGER not minimal');
  }
  return v;
}
