/**
 * PKCS#12 (RFC 7292) for KEY-2 import, with PKI.js: the password-integrity MAC is checked (§4,
 * `checkIntegrity`), shrouded key bags (§4.2.2) and encrypted safes are opened with the password
 * (PBES2, RFC 8018 — OpenSSL 3's default). Legacy RC2/3DES files (`openssl pkcs12 -legacy`) are
 * refused with pkcs12_unsupported: re-export them with a current OpenSSL.
 * The result: the private key as PKCS#8 DER (the caller wipes it) and the certificates, the one
 * for the key first, then its issuers in order.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import {
  type AlgorithmIdentifier,
  CertBag,
  EncryptedData,
  PBES2Params,
  PBKDF2Params,
  PFX,
  PKCS8ShroudedKeyBag,
  PrivateKeyInfo,
} from 'pkijs';
import { ShomeiError } from '../errors.js';

export interface Pkcs12Contents {
  /** PKCS#8 DER of the one private key; wipe with fill(0) after use. */
  readonly pkcs8: Buffer;
  /** DER certificates, the key's own first, then its issuers. */
  readonly chain: Buffer[];
}

/** A copy in an ArrayBuffer of its own (a Buffer may be a view into a shared pool). */
const toArrayBuffer = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer as ArrayBuffer;

/** Orders the certificates: the one for `spki`, then each issuer (RFC 5280 §6.1 path). */
function orderChain(spki: Buffer, certs: Buffer[]): Buffer[] {
  const parsed = certs.map((der) => {
    try {
      return { der, x: new X509Certificate(der) };
    } catch {
      throw new ShomeiError('invalid_parameter', { name: 'certificate' });
    }
  });
  let current = parsed.find((c) => c.x.publicKey.export({ type: 'spki', format: 'der' }).equals(spki));
  if (!current)
    throw new ShomeiError('proof_of_possession_failed', { detail: 'no certificate in the file is for its key' });
  const chain = [current];
  for (;;) {
    const issuer = parsed.find((c) => !chain.includes(c) && (current as (typeof parsed)[number]).x.checkIssued(c.x));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain.map((c) => c.der);
}

/**
 * A file states its own key-derivation cost; an uploader could ask for billions of PBKDF2 rounds.
 * Far above OpenSSL's 2048 and OWASP's 600 000 for PBKDF2-HMAC-SHA256, and refused before any work.
 */
export const MAX_PKCS12_ITERATIONS = 1_000_000;
const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBKDF2 = '1.2.840.113549.1.5.12';
const OID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';

const tooCostly = (n: number | undefined) => {
  if ((n ?? 1) > MAX_PKCS12_ITERATIONS) {
    throw new ShomeiError('pkcs12_unsupported', {
      detail: `more than ${MAX_PKCS12_ITERATIONS} key-derivation iterations`,
    });
  }
};

/** RFC 8018 §6.2 PBES2 with §5.2 PBKDF2: its iteration count within bounds. */
function checkCost(alg: AlgorithmIdentifier): void {
  if (alg.algorithmId !== OID_PBES2) return; // anything else PKI.js refuses (pkcs12_unsupported)
  const kdf = PBES2Params.fromBER(alg.algorithmParams.toBER(false)).keyDerivationFunc;
  if (kdf.algorithmId === OID_PBKDF2) tooCostly(PBKDF2Params.fromBER(kdf.algorithmParams.toBER(false)).iterationCount);
}

async function open(der: Uint8Array, password: ArrayBuffer) {
  const pfx = PFX.fromBER(toArrayBuffer(der));
  tooCostly(pfx.macData?.iterations); // RFC 7292 §5.1 MacData
  await pfx.parseInternalValues({ password, checkIntegrity: true });
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) throw new Error('no authenticated safe');
  for (const ci of safe.safeContents) {
    if (ci.contentType === OID_ENCRYPTED_DATA) {
      // A copy: PKI.js parses the same ASN.1 again below, and parsing annotates it in place.
      checkCost(EncryptedData.fromBER(ci.content.toBER(false)).encryptedContentInfo.contentEncryptionAlgorithm);
    }
  }
  await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password })) });
  const keys: PrivateKeyInfo[] = [];
  const certs: Buffer[] = [];
  for (const contents of safe.parsedValue?.safeContents ?? []) {
    for (const bag of contents.value.safeBags) {
      const v = bag.bagValue;
      if (v instanceof PKCS8ShroudedKeyBag) {
        checkCost(v.encryptionAlgorithm);
        // Public in PKI.js's JavaScript, declared protected in its typings.
        await (
          v as unknown as { parseInternalValues(p: { password: ArrayBuffer }): Promise<void> }
        ).parseInternalValues({
          password,
        });
        if (v.parsedValue) keys.push(v.parsedValue);
      } else if (v instanceof PrivateKeyInfo) keys.push(v);
      // RFC 7292 §4.2.3: x509Certificate (PKCS#9 certTypes); toSchema() reuses the parsed TBS bytes.
      else if (v instanceof CertBag && v.certId === '1.2.840.113549.1.9.22.1' && v.parsedValue) {
        certs.push(Buffer.from(v.parsedValue.toSchema().toBER(false)));
      }
    }
  }
  return { keys, certs };
}

/** Opens a PKCS#12 file with its password; one private key, its certificate and issuers. */
export async function readPkcs12(der: Uint8Array, password: string): Promise<Pkcs12Contents> {
  const pw = new TextEncoder().encode(password);
  let contents: Awaited<ReturnType<typeof open>>;
  try {
    contents = await open(der, toArrayBuffer(pw));
  } catch (e) {
    if (e instanceof ShomeiError) throw e;
    const message = e instanceof Error ? e.message : '';
    if (/Unknown|unsupported|not supported/i.test(message) && !/Integrity/i.test(message)) {
      throw new ShomeiError('pkcs12_unsupported', {
        detail: 'legacy or unknown encryption; re-export with AES (PBES2)',
      });
    }
    throw new ShomeiError('pkcs12_invalid');
  } finally {
    pw.fill(0);
  }
  if (contents.keys.length !== 1) {
    throw new ShomeiError('pkcs12_unsupported', {
      detail: `${contents.keys.length} private keys; exactly one expected`,
    });
  }
  const pkcs8 = Buffer.from((contents.keys[0] as PrivateKeyInfo).toSchema().toBER(false));
  let spki: Buffer;
  try {
    spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({
      type: 'spki',
      format: 'der',
    });
  } catch {
    pkcs8.fill(0);
    throw new ShomeiError('invalid_parameter', { name: 'key' });
  }
  try {
    return { pkcs8, chain: orderChain(spki, contents.certs) };
  } catch (e) {
    pkcs8.fill(0);
    throw e;
  }
}
