/**
 * XAdES and JAdES through their formats' own verifiers (formats/xades verifyXades, formats/jades
 * verifyJades): they check references, signature value, signed properties and every time-stamp's
 * imprint, and say which level is present. Their refusals are mapped to EN 319 102-1 sub-indications
 * by what failed. Trust (paths, revocation, the tokens' TSAs) is left to the common steps.
 */
import { X509Certificate } from 'node:crypto';
import { isShomeiError } from '../../errors.js';
import { b64url, fromB64, fromB64url } from '../../formats/jades/codec.js';
import { verifyJades } from '../../formats/jades/index.js';
import { parseJws } from '../../formats/jades/parse.js';
import { arcTstInput, type SignedParts, sigTstInput } from '../../formats/jades/unsigned.js';
import { NS } from '../../formats/xades/algorithms.js';
import { parseXml, verifyXades } from '../../formats/xades/index.js';
import type { Integrity } from './cms-integrity.js';
import { type ExtractedSignature, NO_DATA, type TimestampInput } from './model.js';
import type { SubIndication } from './report.js';

/** What a format verifier's refusal means (its catalogue code and detail). */
function refusal(e: unknown): Integrity {
  const detail = isShomeiError(e) ? (e.params.detail ?? e.message) : 'the signature cannot be read';
  const rules: [RegExp, SubIndication][] = [
    [/digest mismatch|does not match sigD|does not cover/i, 'HASH_FAILURE'],
    [/does not verify/i, 'SIG_CRYPTO_FAILURE'],
    [/detached document is needed|caller does not have|not available|no bytes/i, 'SIGNED_DATA_NOT_FOUND'],
  ];
  const sub = rules.find(([re]) => re.test(detail))?.[1] ?? 'FORMAT_FAILURE';
  return { valid: false, subIndication: sub, detail };
}

const failedSignature = (format: 'XAdES' | 'JAdES', integrity: Integrity): ExtractedSignature => ({
  id: format === 'XAdES' ? 'Signature1' : 'JWS1',
  format,
  integrity,
  certificates: [],
  level: 'B-B',
  timestamps: [],
  embedded: NO_DATA,
});

/** KeyInfo's certificates: the signer's issuers for path building before B-LT adds CertificateValues. */
function keyInfoCertificates(xml: Uint8Array): Uint8Array[] {
  const { root } = parseXml(xml);
  const found = root.getElementsByTagNameNS(NS.ds, 'X509Certificate');
  return Array.from(
    { length: found.length },
    (_, i) => new Uint8Array(Buffer.from(found.item(i)?.textContent ?? '', 'base64')),
  ).filter((der) => {
    try {
      return Boolean(new X509Certificate(der));
    } catch {
      return false;
    }
  });
}

export function readXades(xml: Uint8Array, detached: Uint8Array | undefined): ExtractedSignature {
  try {
    const v = verifyXades(xml, detached ? { detached: () => detached } : {});
    const stamps: TimestampInput[] = [
      ...(v.signatureTimeStamp
        ? [
            {
              kind: 'signature' as const,
              token: v.signatureTimeStamp.token,
              covers: { data: v.signatureTimeStamp.input },
            },
          ]
        : []),
      ...v.archiveTimeStamps.map((a) => ({ kind: 'archive' as const, token: a.token, covers: { data: a.input } })),
    ];
    const claimed = Date.parse(v.signingTime);
    return {
      id: 'Signature1',
      format: 'XAdES',
      integrity: { valid: true },
      signer: v.signerCertificate,
      certificates: keyInfoCertificates(xml),
      ...(Number.isNaN(claimed) ? {} : { claimedSigningTime: new Date(claimed) }),
      level: v.level,
      timestamps: stamps,
      embedded: v.values
        ? { certificates: v.values.certificates, ocsps: v.values.ocspResponses, crls: v.values.crls }
        : NO_DATA,
    };
  } catch (e) {
    return failedSignature('XAdES', refusal(e));
  }
}

/** The RFC 3161 tokens of sigTst / arcTst (TS 119 182-1 §5.3.4, §5.3.6) with the bytes each covers. */
function jadesTokens(input: Uint8Array, dataB64: string): TimestampInput[] {
  const jws = parseJws(input);
  const parts: SignedParts = { dataB64, protectedB64: jws.protectedB64, signatureB64: jws.signatureB64 };
  return jws.etsiU.flatMap((element, i) => {
    const [[name, value]] = Object.entries(JSON.parse(fromB64url(element, 'etsiU').toString('utf8'))) as [
      [string, { tstTokens?: { val: string }[] }],
    ];
    if (name !== 'sigTst' && name !== 'arcTst') return [];
    const data = name === 'sigTst' ? sigTstInput(parts) : arcTstInput(parts, jws.etsiU.slice(0, i));
    return (value.tstTokens ?? []).map(
      (t): TimestampInput => ({
        kind: name === 'sigTst' ? 'signature' : 'archive',
        token: fromB64(t.val, 'tstTokens'),
        covers: { data },
      }),
    );
  });
}

export async function readJades(input: Uint8Array, detached: Uint8Array | undefined): Promise<ExtractedSignature> {
  try {
    const v = await verifyJades(input, detached ? { detachedPayload: detached } : {});
    const data = v.validationData;
    return {
      id: 'JWS1',
      format: 'JAdES',
      integrity: { valid: true },
      ...(v.chain[0] ? { signer: v.chain[0] } : {}),
      certificates: v.chain,
      claimedSigningTime: v.signingTime,
      level: v.level,
      timestamps: jadesTokens(input, b64url(v.payload)),
      embedded: data ? { certificates: data.certificates, ocsps: data.ocspResponses, crls: data.crls } : NO_DATA,
    };
  } catch (e) {
    return failedSignature('JAdES', refusal(e));
  }
}
