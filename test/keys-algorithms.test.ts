import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, RSASSAPSSParams } from 'pkijs';
import { describe, expect, it } from 'vitest';
import { ShomeiError } from '../src/errors.js';
import {
  checkDigests,
  HASHES,
  keyAlgoOids,
  keyInfo,
  keyTypeInfo,
  OID,
  resolveSignature,
  type SignatureRequest,
} from '../src/keys/index.js';

const SHA1 = '1.3.14.3.2.26';
const SHA1_RSA = '1.2.840.113549.1.1.5';

function pssParams(hashOid: string, mgfHashOid: string, saltLength: number): Uint8Array {
  const alg = (oid: string) => new AlgorithmIdentifier({ algorithmId: oid, algorithmParams: new asn1js.Null() });
  const params = new RSASSAPSSParams({
    hashAlgorithm: alg(hashOid),
    maskGenAlgorithm: new AlgorithmIdentifier({ algorithmId: OID.mgf1, algorithmParams: alg(mgfHashOid).toSchema() }),
    saltLength,
  });
  return new Uint8Array(params.toSchema().toBER(false));
}

function code(req: SignatureRequest): string {
  try {
    resolveSignature(req);
  } catch (e) {
    if (e instanceof ShomeiError) return `${e.code}:${e.message}`;
    throw e;
  }
  return 'ok';
}

describe('keys/algorithms — the one algorithm table (SIGN-4)', () => {
  it('SIGN-4: signAlgo OIDs with an implied hash resolve to scheme + hash', () => {
    expect(resolveSignature({ keyType: 'RSA-2048', signAlgo: OID.sha384WithRSAEncryption })).toEqual({
      scheme: 'rsa-pkcs1',
      hash: HASHES['SHA-384'],
    });
    expect(
      resolveSignature({ keyType: 'EC-P256', signAlgo: OID.ecdsaWithSHA512, hashAlgorithmOID: OID.sha512 }),
    ).toEqual({
      scheme: 'ecdsa',
      hash: HASHES['SHA-512'],
    });
  });

  it('SIGN-4: rsaEncryption and RSASSA-PSS need hashAlgorithmOID (csc-api-v2 §5.1)', () => {
    expect(code({ keyType: 'RSA-2048', signAlgo: OID.rsaEncryption })).toMatch(/^missing_string:.*hashAlgorithmOID/);
    expect(code({ keyType: 'RSA-2048', signAlgo: OID.rsassaPss })).toMatch(/^missing_string:.*hashAlgorithmOID/);
    expect(
      resolveSignature({ keyType: 'RSA-3072', signAlgo: OID.rsaEncryption, hashAlgorithmOID: OID.sha256 }).scheme,
    ).toBe('rsa-pkcs1');
  });

  it('SIGN-4: PSS salt defaults to the hash length; parameters are honoured', () => {
    expect(
      resolveSignature({ keyType: 'RSA-2048', signAlgo: OID.rsassaPss, hashAlgorithmOID: OID.sha384 }).saltLength,
    ).toBe(48);
    const params = pssParams(OID.sha256, OID.sha256, 20);
    const r = resolveSignature({
      keyType: 'RSA-2048',
      signAlgo: OID.rsassaPss,
      hashAlgorithmOID: OID.sha256,
      signAlgoParams: params,
    });
    expect(r).toEqual({ scheme: 'rsa-pss', hash: HASHES['SHA-256'], saltLength: 20 });
  });

  it('SIGN-4: PSS parameters with an MGF1 hash other than the hash are refused', () => {
    const params = pssParams(OID.sha256, OID.sha384, 32);
    expect(
      code({ keyType: 'RSA-2048', signAlgo: OID.rsassaPss, hashAlgorithmOID: OID.sha256, signAlgoParams: params }),
    ).toBe('invalid_parameter:Invalid parameter signAlgoParams');
  });

  it('SIGN-4: PSS parameters naming SHA-1, contradicting the hash, malformed or with an oversized salt are refused', () => {
    const req = { keyType: 'RSA-2048', signAlgo: OID.rsassaPss, hashAlgorithmOID: OID.sha256 } as const;
    expect(code({ ...req, signAlgoParams: pssParams(SHA1, SHA1, 20) })).toMatch(/^unsupported_algorithm:/);
    expect(code({ ...req, signAlgoParams: pssParams(OID.sha384, OID.sha384, 48) })).toMatch(
      /^hash_algorithm_contradicts:/,
    );
    expect(code({ ...req, signAlgoParams: Uint8Array.of(1, 2, 3) })).toMatch(/^invalid_parameter:.*signAlgoParams/);
    expect(code({ ...req, signAlgoParams: pssParams(OID.sha256, OID.sha256, 223) })).toMatch(/^invalid_parameter:/);
  });

  it('SIGN-4: SHA-1 and unknown algorithms are refused', () => {
    expect(code({ keyType: 'RSA-2048', signAlgo: SHA1_RSA })).toMatch(/^unsupported_algorithm:.*signAlgo/);
    expect(code({ keyType: 'RSA-2048', signAlgo: OID.rsaEncryption, hashAlgorithmOID: SHA1 })).toMatch(
      /^unsupported_algorithm:.*hash/,
    );
    expect(code({ keyType: 'EC-P256', signAlgo: '0.4.0.127.0.7.1.1.4.1.3' })).toMatch(/^unsupported_algorithm:/);
  });

  it('SIGN-4: a signAlgo for another key family is refused (ecdsa-with-SHA256 on RSA)', () => {
    expect(code({ keyType: 'RSA-2048', signAlgo: OID.ecdsaWithSHA256 })).toBe(
      'invalid_parameter:Invalid parameter signAlgo',
    );
    expect(code({ keyType: 'EC-P384', signAlgo: OID.sha256WithRSAEncryption })).toMatch(/^invalid_parameter:/);
    expect(code({ keyType: 'Ed25519', signAlgo: OID.ecdsaWithSHA256 })).toMatch(/^invalid_parameter:/);
  });

  it('SIGN-4: hashAlgorithmOID contradicting signAlgo is refused', () => {
    expect(code({ keyType: 'EC-P256', signAlgo: OID.ecdsaWithSHA256, hashAlgorithmOID: OID.sha384 })).toBe(
      'hash_algorithm_contradicts:String parameter hashAlgorithmOID contradicts with signAlgo parameter',
    );
  });

  it('SIGN-4: Ed25519 only when policy allows; unknown key types refused', () => {
    expect(() => keyTypeInfo('Ed25519')).toThrow(/not allowed by policy/);
    expect(keyTypeInfo('Ed25519', { allowEd25519: true }).family).toBe('ed25519');
    expect(() => keyTypeInfo('RSA-1024')).toThrow(/Unsupported algorithm/);
  });

  it('csc-api-v2 §1: digests of the wrong length are refused', () => {
    expect(() => checkDigests(HASHES['SHA-256'], [Buffer.alloc(32), Buffer.alloc(31)])).toThrow(
      'Invalid digest value length',
    );
    expect(() => checkDigests(HASHES['SHA-256'], [])).toThrow('Empty hash array');
    checkDigests(HASHES['SHA-512'], [Buffer.alloc(64)]);
  });

  it('CSC key.algo / key.len / key.curve come from the table', () => {
    expect(keyAlgoOids('RSA-2048')).toEqual([
      OID.rsaEncryption,
      OID.sha256WithRSAEncryption,
      OID.sha384WithRSAEncryption,
      OID.sha512WithRSAEncryption,
      OID.rsassaPss,
    ]);
    expect(keyAlgoOids('EC-P384')).toEqual([OID.ecdsaWithSHA256, OID.ecdsaWithSHA384, OID.ecdsaWithSHA512]);
    expect(keyInfo('EC-P521')).toEqual({ len: 521, curve: OID.p521 });
    expect(keyInfo('RSA-4096')).toEqual({ len: 4096 });
  });
});
