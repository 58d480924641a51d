/**
 * TimeStampResp (RFC 3161 §2.4.2): `SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }`.
 * Encoded here for the TSA and decoded here for the external-TSA client.
 */
import * as asn1js from 'asn1js';
import { ContentInfo, PKIStatusInfo, TimeStampResp } from 'pkijs';
import { TAG, tlv } from '../formats/cms/index.js';
import { type FailureInfo, failureBits, failureNames } from './failure.js';

/** PKIStatus (RFC 3161 §2.4.2). */
export const PKI_STATUS = { granted: 0, grantedWithMods: 1, rejection: 2 } as const;

/** status granted, and the token (a DER ContentInfo) spliced in as it was signed. */
export function grantedResponse(token: Uint8Array): Buffer {
  const status = new PKIStatusInfo({ status: PKI_STATUS.granted });
  return Buffer.from(tlv(TAG.sequence, new Uint8Array(status.toSchema().toBER(false)), token));
}

/** status rejection with one failure bit and a short text for people (PKIFreeText). */
export function rejectionResponse(info: FailureInfo, text: string): Buffer {
  const status = new PKIStatusInfo({
    status: PKI_STATUS.rejection,
    statusStrings: [new asn1js.Utf8String({ value: text })],
    failInfo: new asn1js.BitString(failureBits(info)),
  });
  return Buffer.from(new TimeStampResp({ status }).toSchema().toBER(false));
}

export interface DecodedResponse {
  readonly status: number;
  readonly failInfo: readonly FailureInfo[];
  readonly text: string;
  /** DER ContentInfo of the token, as received. */
  readonly token?: Uint8Array;
}

/** Reads another TSA's answer; throws on anything that is not a TimeStampResp. */
export function decodeTimeStampResp(der: Uint8Array): DecodedResponse {
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset !== der.length || asn1.result.error) throw new Error('not a single BER value');
  const resp = new TimeStampResp({ schema: asn1.result });
  const s = resp.status;
  const token = resp.timeStampToken ? tokenBytes(asn1.result) : undefined;
  return {
    status: s.status,
    failInfo: s.failInfo ? failureNames(new Uint8Array(s.failInfo.valueBlock.valueHexView)) : [],
    text: (s.statusStrings ?? []).map((t) => (t as asn1js.Utf8String).valueBlock.value).join('; '),
    ...(token ? { token } : {}),
  };
}

/** The token's bytes exactly as received (its signature covers parts of them). */
function tokenBytes(outer: asn1js.AsnType): Uint8Array | undefined {
  const second = (outer as asn1js.Sequence).valueBlock.value[1];
  if (!second) return undefined;
  const bytes = new Uint8Array(second.valueBeforeDecodeView);
  ContentInfo.fromBER(bytes);
  return bytes;
}
