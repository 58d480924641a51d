/**
 * OCSP responses (RFC 6960): parsing of BasicOCSPResponse and the status of one certificate,
 * accepted only when signed by the issuer or by a responder it delegated with id-kp-OCSPSigning
 * (§4.2.2.2), with a matching CertID and a current thisUpdate/nextUpdate window (§4.2.2.1).
 */
import { createHash } from 'node:crypto';
import { type AlgorithmId, type Certificate, certLabel, parseAlgorithm, parseCertificate } from './certificate.js';
import type { CertStatus, Context } from './context.js';
import {
  bigInt,
  bitString,
  children,
  expect,
  hex,
  isContext,
  oid,
  parseDer,
  smallInt,
  TAG,
  type Tlv,
  time,
} from './der.js';
import { type Name, nameEquals, parseName } from './names.js';
import { verifySigned } from './signature.js';

const BASIC = '1.3.6.1.5.5.7.48.1.1';
export const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

interface Single {
  readonly hashAlg: string;
  readonly nameHash: string;
  readonly keyHash: string;
  readonly serial: bigint;
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly revokedAt?: Date;
  readonly reason?: number;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
}
export interface OcspResponse {
  readonly tbs: Uint8Array;
  readonly sigAlg: AlgorithmId;
  readonly signature: Uint8Array;
  readonly responder: { readonly name?: Name; readonly keyHash?: string };
  readonly producedAt: Date;
  readonly responses: readonly Single[];
  readonly certs: readonly Certificate[];
}

/** Parses an OCSPResponse; undefined when it is not a successful basic response. */
export function parseOcsp(der: Uint8Array): OcspResponse | undefined {
  const [statusT, bytesT] = children(expect(parseDer(der), TAG.SEQUENCE, 'OCSPResponse'));
  if (smallInt(statusT) !== 0 || !isContext(bytesT, 0)) return undefined;
  const [typeT, respT] = children(children(bytesT)[0]!);
  if (oid(typeT) !== BASIC) return undefined;
  const [tbsT, sigAlgT, sigT, certsT] = children(
    expect(parseDer(expect(respT, TAG.OCTET_STRING, 'response').value), TAG.SEQUENCE, 'BasicOCSPResponse'),
  );
  const f = children(expect(tbsT, TAG.SEQUENCE, 'ResponseData'));
  let i = isContext(f[0], 0) ? 1 : 0;
  const rid = f[i++]!;
  const responder = isContext(rid, 1)
    ? { name: parseName(children(rid)[0]!) }
    : { keyHash: hex(expect(children(rid)[0], TAG.OCTET_STRING, 'KeyHash').value) };
  const producedAt = time(f[i++]);
  const responses = children(expect(f[i], TAG.SEQUENCE, 'responses')).map(single);
  const certs = certsT ? children(children(certsT)[0]!).map((c) => parseCertificate(c.der)) : [];
  return {
    tbs: tbsT!.der,
    sigAlg: parseAlgorithm(sigAlgT),
    signature: bitString(sigT).bytes,
    responder,
    producedAt,
    responses,
    certs,
  };
}

function single(t: Tlv): Single {
  const [idT, statusT, thisT, ...rest] = children(expect(t, TAG.SEQUENCE, 'SingleResponse'));
  const [algT, nameT, keyT, serialT] = children(expect(idT, TAG.SEQUENCE, 'CertID'));
  const base = {
    hashAlg: parseAlgorithm(algT).oid,
    nameHash: hex(expect(nameT, TAG.OCTET_STRING, 'issuerNameHash').value),
    keyHash: hex(expect(keyT, TAG.OCTET_STRING, 'issuerKeyHash').value),
    serial: bigInt(serialT),
    thisUpdate: time(thisT),
    ...(isContext(rest[0], 0) ? { nextUpdate: time(children(rest[0])[0]) } : {}),
  };
  if (isContext(statusT, 0)) return { ...base, status: 'good' };
  if (isContext(statusT, 1)) {
    const [when, reasonT] = children(statusT);
    const reason = isContext(reasonT, 0) ? smallInt(children(reasonT)[0]) : undefined;
    return { ...base, status: 'revoked', revokedAt: time(when), ...(reason !== undefined ? { reason } : {}) };
  }
  return { ...base, status: 'unknown' };
}

const digest = (alg: string, data: Uint8Array) => createHash(alg).update(data).digest('hex');

/** The OCSP status of `cert`, or undefined when no acceptable response covers it. */
export function ocspStatus(cert: Certificate, issuer: Certificate, ctx: Context): CertStatus | undefined {
  for (const r of ctx.ocsp) {
    const s = r.responses.find((x) => {
      const alg = HASHES[x.hashAlg];
      return (
        alg &&
        x.serial === cert.serial &&
        x.nameHash === digest(alg, issuer.subject.der) &&
        x.keyHash === digest(alg, issuer.publicKeyBits)
      );
    });
    if (!s || (s.nextUpdate && s.nextUpdate < ctx.at) || !trustedResponder(r, issuer, ctx)) continue;
    const common = { source: 'ocsp' as const, thisUpdate: s.thisUpdate, producedAt: r.producedAt };
    if (s.status === 'revoked' && s.revokedAt && s.revokedAt <= ctx.at) {
      return {
        ...common,
        status: 'revoked',
        revokedAt: s.revokedAt,
        reason: `${certLabel(cert)} revoked (reason ${s.reason ?? 0})`,
      };
    }
    if (s.status === 'unknown')
      return { ...common, status: 'unknown', reason: 'responder does not know the certificate' };
    return { ...common, status: 'good' };
  }
  return undefined;
}

function trustedResponder(r: OcspResponse, issuer: Certificate, ctx: Context): boolean {
  const named = (c: Certificate) =>
    r.responder.name
      ? nameEquals(r.responder.name, c.subject)
      : r.responder.keyHash === digest('sha1', c.publicKeyBits);
  if (named(issuer)) return verifySigned(r.tbs, r.sigAlg, r.signature, issuer.spki).ok;
  // §4.2.2.2: a delegated responder, issued directly by the CA, with id-kp-OCSPSigning.
  return r.certs.some(
    (c) =>
      named(c) &&
      c.ext.eku?.includes(OCSP_SIGNING) === true &&
      nameEquals(c.issuer, issuer.subject) &&
      ctx.at >= c.notBefore &&
      ctx.at <= c.notAfter &&
      verifySigned(c.tbs, c.sigAlg, c.signature, issuer.spki).ok &&
      verifySigned(r.tbs, r.sigAlg, r.signature, c.spki).ok,
  );
}
