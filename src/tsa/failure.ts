/**
 * How the TSA says no (RFC 3161 §2.4.2): a TimeStampResp with status rejection and one
 * PKIFailureInfo bit. A refusal is an answer of the protocol, not an error of the service, so it is
 * not in the error catalogue: the HTTP answer is 200 with the refusal inside (§3.4).
 */

/** PKIFailureInfo ::= BIT STRING — the bit numbers RFC 3161 §2.4.2 assigns. */
export const FAILURE_BITS = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
} as const;

export type FailureInfo = keyof typeof FAILURE_BITS;

/** A request the TSA will not stamp, with the reason a client can act on. */
export class TsaRefusal extends Error {
  readonly failInfo: FailureInfo;

  constructor(failInfo: FailureInfo, text: string) {
    super(text);
    this.name = 'TsaRefusal';
    this.failInfo = failInfo;
  }
}

export const refuse = (failInfo: FailureInfo, text: string): never => {
  throw new TsaRefusal(failInfo, text);
};

/** The DER content of a named-bit BIT STRING with one bit set: trailing zero bits dropped (X.690 §11.2.2). */
export function failureBits(info: FailureInfo): { valueHex: Uint8Array; unusedBits: number } {
  const bit = FAILURE_BITS[info];
  const bytes = new Uint8Array(Math.floor(bit / 8) + 1);
  bytes[bytes.length - 1] = 0x80 >> (bit % 8);
  return { valueHex: bytes, unusedBits: 7 - (bit % 8) };
}

/** The names of the bits set in a PKIFailureInfo (for a client reporting another TSA's refusal). */
export function failureNames(bits: Uint8Array): FailureInfo[] {
  const set = (n: number) => (((bits[Math.floor(n / 8)] ?? 0) >> (7 - (n % 8))) & 1) === 1;
  return (Object.keys(FAILURE_BITS) as FailureInfo[]).filter((k) => set(FAILURE_BITS[k]));
}
