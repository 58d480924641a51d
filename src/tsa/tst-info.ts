/**
 * TSTInfo (RFC 3161 §2.4.2), the content the token signs, encoded with pkijs. genTime is a
 * GeneralizedTime in UTC whose fraction of a second, when present, has no trailing zeros (asn1js
 * writes it so); it is present only when the accuracy is finer than a second, since a fraction
 * finer than the accuracy would claim a precision the TSA does not have.
 */
import * as asn1js from 'asn1js';
import { Accuracy, AlgorithmIdentifier, Certificate, GeneralName, MessageImprint, TSTInfo } from 'pkijs';

export interface TstInfoFields {
  readonly policy: string;
  readonly hashOid: string;
  readonly hashedMessage: Uint8Array;
  /** Content octets of a positive INTEGER. */
  readonly serial: Uint8Array;
  /** Epoch ms; whole seconds unless accuracyMs < 1000. */
  readonly genTime: number;
  readonly accuracyMs: number;
  /** Content octets of the request's nonce INTEGER, echoed unchanged. */
  readonly nonce?: Uint8Array;
  /** DER certificate of the TSA, whose subject becomes the `tsa` directoryName. */
  readonly tsaCertificate?: Uint8Array;
}

/** genTime as the token will state it: truncated to the precision the accuracy supports. */
export function genTimeFor(now: number, accuracyMs: number): number {
  return accuracyMs >= 1000 ? Math.floor(now / 1000) * 1000 : now;
}

/** Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL, … }: zero parts omitted. */
function accuracy(ms: number): Accuracy {
  const seconds = Math.floor(ms / 1000);
  const millis = ms % 1000;
  return new Accuracy({ ...(seconds > 0 ? { seconds } : {}), ...(millis > 0 ? { millis } : {}) });
}

export function encodeTstInfo(f: TstInfoFields): Buffer {
  const info = new TSTInfo({
    version: 1,
    policy: f.policy,
    // RFC 3161 §2.4.2: the same imprint as the request; the algorithm identifier without parameters (RFC 5754 §2).
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithmId: f.hashOid }),
      hashedMessage: new asn1js.OctetString({ valueHex: f.hashedMessage }),
    }),
    serialNumber: new asn1js.Integer({ valueHex: f.serial }),
    genTime: new Date(genTimeFor(f.genTime, f.accuracyMs)),
    accuracy: accuracy(f.accuracyMs),
    // ordering is FALSE, the DEFAULT, so DER leaves it out.
    ...(f.nonce ? { nonce: new asn1js.Integer({ valueHex: f.nonce }) } : {}),
    ...(f.tsaCertificate
      ? { tsa: new GeneralName({ type: 4, value: Certificate.fromBER(f.tsaCertificate).subject }) }
      : {}),
  });
  return Buffer.from(info.toSchema().toBER(false));
}
