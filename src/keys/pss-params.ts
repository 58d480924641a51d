/**
 * RSASSA-PSS-params (RFC 8017 Appendix A.2.3, RFC 4055 §3.1), parsed with pkijs. The ASN.1
 * defaults name SHA-1 (hash and MGF1), which SIGN-4 refuses, so parameters must name the hash.
 */
import { AlgorithmIdentifier, RSASSAPSSParams } from 'pkijs';
import { ShomeiError } from '../errors.js';
import { OID } from './algorithms.js';

export interface PssParams {
  readonly hashOid: string;
  readonly saltLength: number;
}

const invalid = (): ShomeiError => new ShomeiError('invalid_parameter', { name: 'signAlgoParams' });

export function parsePssParams(der: Uint8Array): PssParams {
  let params: RSASSAPSSParams;
  try {
    params = RSASSAPSSParams.fromBER(der);
  } catch {
    throw invalid();
  }
  const hashOid = params.hashAlgorithm.algorithmId;
  // RFC 8017 §9.1: MGF1 is the only mask generation function; we require it to use the same hash.
  if (params.maskGenAlgorithm.algorithmId !== OID.mgf1) throw invalid();
  if (mgfHashOid(params.maskGenAlgorithm) !== hashOid) throw invalid();
  // RFC 8017 A.2.3: trailerField 1 (0xBC) is the only value defined.
  if (params.trailerField !== 1) throw invalid();
  if (!Number.isSafeInteger(params.saltLength) || params.saltLength < 0) throw invalid();
  return { hashOid, saltLength: params.saltLength };
}

function mgfHashOid(mgf: AlgorithmIdentifier): string {
  try {
    return new AlgorithmIdentifier({ schema: mgf.algorithmParams }).algorithmId;
  } catch {
    throw invalid();
  }
}
