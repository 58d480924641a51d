/**
 * The etsiU checks (TS 119 182-1 §5.3): each element decoded, in the order the levels build them
 * (sigTst, then xVals / rVals, then arcTst), every time-stamp checked against the bytes it must
 * cover. The level reached follows from what is present.
 */
import { ShomeiError } from '../../errors.js';
import { ADES_LEVELS, type AdesLevel, type ValidationData } from '../ports.js';
import { fromB64, fromB64url } from './codec.js';
import type { ParsedJws } from './parse.js';
import { checkTimestamp, readTimestamp } from './tst.js';
import { arcTstInput, type SignedParts, sigTstInput } from './unsigned.js';

export interface StampReport {
  readonly kind: 'sigTst' | 'arcTst';
  readonly genTime: Date;
}

export interface UnsignedReport {
  readonly level: AdesLevel;
  readonly timestamps: StampReport[];
  readonly validationData?: ValidationData;
}

const malformed = (detail: string) => new ShomeiError('jades_malformed', { detail });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The DER values of an array of pkiOb objects (`{ val: base64 }`), optionally wrapped in `key`. */
function pkiObs(v: unknown, what: string, key?: string): Buffer[] {
  if (!Array.isArray(v) || v.length === 0) throw malformed(`${what} is not a non-empty array`);
  return v.map((item, i) => {
    const ob = key && isObject(item) ? item[key] : item;
    if (!isObject(ob)) throw malformed(`${what}[${i}]`);
    return fromB64(ob.val, `${what}[${i}].val`);
  });
}

function decode(element: string, i: number): [string, unknown] {
  let value: unknown;
  try {
    value = JSON.parse(fromB64url(element, `etsiU[${i}]`).toString('utf8'));
  } catch (e) {
    throw e instanceof ShomeiError ? e : malformed(`etsiU[${i}] is not base64url JSON`);
  }
  if (!isObject(value) || Object.keys(value).length !== 1) throw malformed(`etsiU[${i}] must hold one property`);
  return Object.entries(value)[0] as [string, unknown];
}

/** `dataB64`: base64url of the signed document (the JWS Payload, or the sigD document). */
export async function verifyUnsigned(jws: ParsedJws, dataB64: string): Promise<UnsignedReport> {
  const parts: SignedParts = { dataB64, protectedB64: jws.protectedB64, signatureB64: jws.signatureB64 };
  const timestamps: StampReport[] = [];
  const data = { certificates: [] as Buffer[], crls: [] as Buffer[], ocspResponses: [] as Buffer[] };
  let stage = 0; // 0 nothing yet, 1 sigTst seen, 2 validation data seen, 3 arcTst seen
  for (const [i, element] of jws.etsiU.entries()) {
    const [name, value] = decode(element, i);
    if (name === 'sigTst' && stage === 0) {
      timestamps.push(...(await stampChecked(value, 'sigTst', sigTstInput(parts), jws.header.signingTime)));
      stage = 1;
    } else if (name === 'xVals' && stage >= 1 && stage < 3) {
      data.certificates.push(...pkiObs(value, 'xVals', 'x509Cert'));
      stage = 2;
    } else if (name === 'rVals' && stage >= 1 && stage < 3) {
      if (!isObject(value)) throw malformed('rVals');
      if (value.crlVals !== undefined) data.crls.push(...pkiObs(value.crlVals, 'rVals.crlVals'));
      if (value.ocspVals !== undefined) data.ocspResponses.push(...pkiObs(value.ocspVals, 'rVals.ocspVals'));
      stage = 2;
    } else if (name === 'arcTst' && stage === 2) {
      const input = arcTstInput(parts, jws.etsiU.slice(0, i));
      timestamps.push(...(await stampChecked(value, 'arcTst', input, jws.header.signingTime)));
      stage = 3;
    } else {
      throw malformed(`etsiU[${i}]: ${name} is unsupported or out of order`);
    }
  }
  const level: AdesLevel = ADES_LEVELS[stage] ?? 'B-B';
  return { level, timestamps, ...(stage >= 2 ? { validationData: data } : {}) };
}

async function stampChecked(
  value: unknown,
  kind: StampReport['kind'],
  input: Buffer,
  sigT: Date,
): Promise<StampReport[]> {
  if (!isObject(value)) throw malformed(kind);
  const reports: StampReport[] = [];
  for (const der of pkiObs(value.tstTokens, `${kind}.tstTokens`)) {
    const token = readTimestamp(der, kind);
    await checkTimestamp(token, input, kind);
    // EN 319 102-1 §5.6.2.4 (best-signature-time): the claimed signing time cannot follow the time-stamp.
    if (token.genTime.getTime() < sigT.getTime()) {
      throw new ShomeiError('jades_invalid', { detail: `${kind} is earlier than sigT` });
    }
    reports.push({ kind, genTime: token.genTime });
  }
  return reports;
}
