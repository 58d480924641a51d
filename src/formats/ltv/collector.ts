/**
 * A RevocationSource (ports.ts) that follows the certificates' own pointers: for each certificate
 * below the trust anchor, OCSP from its AIA, else the CRL from its CRL distribution point; the
 * issuer from caIssuers when the chain given is incomplete. The network comes in as `fetch`.
 */
import { X509Certificate } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import type { Clock } from '../../platform/index.js';
import { isIssuedBy } from '../cms/index.js';
import type { RevocationSource, ValidationData } from '../ports.js';
import { checkCrl } from './crl.js';
import { createHttpFetch, type HttpFetch, type HttpFetchOptions } from './fetch.js';
import { checkOcspResponse, ocspQuery } from './ocsp.js';
import { certificateUrls } from './urls.js';

export interface RevocationSourceDeps {
  readonly fetch: HttpFetch;
  readonly clock: Clock;
}

/** Longest chain followed (a loop or a hostile AIA must end). */
const MAX_CHAIN = 8;

interface Found {
  readonly ocsp?: Uint8Array;
  readonly crl?: Uint8Array;
  readonly certificates: readonly Uint8Array[];
}

export function createRevocationSource(deps: RevocationSourceDeps): RevocationSource {
  const get = async (url: string): Promise<Uint8Array | undefined> => {
    const res = await deps.fetch({ url, method: 'GET' }).catch(() => undefined);
    return res?.status === 200 ? res.body : undefined;
  };

  async function ocspFor(cert: Uint8Array, issuer: Uint8Array, reasons: string[]): Promise<Found | undefined> {
    for (const url of certificateUrls(cert).ocsp) {
      const query = await ocspQuery(cert, issuer);
      const res = await deps
        .fetch({
          url,
          method: 'POST',
          headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
          body: query.der,
        })
        .catch((e: unknown) => {
          reasons.push(`${url}: ${(e as Error).message}`);
          return undefined;
        });
      if (!res) continue;
      if (res.status !== 200) {
        reasons.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const verdict = await checkOcspResponse(res.body, query, issuer, deps.clock.now());
      if (verdict.ok) return { ocsp: res.body, certificates: verdict.responderCerts };
      reasons.push(`${url}: ${verdict.reason}`);
    }
    return undefined;
  }

  async function crlFor(cert: Uint8Array, issuer: Uint8Array, reasons: string[]): Promise<Found | undefined> {
    for (const url of certificateUrls(cert).crl) {
      const body = await get(url);
      if (!body) {
        reasons.push(`${url}: no CRL`);
        continue;
      }
      const verdict = await checkCrl(body, issuer, deps.clock.now());
      if (verdict.ok) return { crl: body, certificates: [] };
      reasons.push(`${url}: ${verdict.reason}`);
    }
    return undefined;
  }

  async function issuerOf(cert: Uint8Array, next: Uint8Array | undefined): Promise<Uint8Array | undefined> {
    const x = new X509Certificate(cert);
    if (next && issuedBy(x, next)) return next;
    for (const url of certificateUrls(cert).caIssuers) {
      const body = await get(url);
      if (body && issuedBy(x, body)) return body;
    }
    return undefined;
  }

  return {
    async collect(chain) {
      const out: { certificates: Uint8Array[]; ocspResponses: Uint8Array[]; crls: Uint8Array[] } = {
        certificates: [],
        ocspResponses: [],
        crls: [],
      };
      let cert = chain[0];
      for (let i = 0; cert && i < MAX_CHAIN && !selfSigned(cert); i++) {
        const subject = new X509Certificate(cert).subject.replace(/\n/g, ', ');
        const issuer = await issuerOf(cert, chain[i + 1]);
        if (!issuer) throw new ShomeiError('revocation_unavailable', { subject, detail: 'issuer not found' });
        const reasons: string[] = [];
        const found = (await ocspFor(cert, issuer, reasons)) ?? (await crlFor(cert, issuer, reasons));
        if (!found) {
          throw new ShomeiError('revocation_unavailable', {
            subject,
            detail: reasons.join('; ') || 'no OCSP or CRL URL',
          });
        }
        if (found.ocsp) out.ocspResponses.push(found.ocsp);
        if (found.crl) out.crls.push(found.crl);
        out.certificates.push(issuer, ...found.certificates);
        cert = issuer;
      }
      return out satisfies ValidationData;
    },
  };
}

/** The same collector over real HTTP(S) with timeouts and size limits. */
export function createHttpRevocationSource(opts: HttpFetchOptions & { readonly clock: Clock }): RevocationSource {
  return createRevocationSource({ fetch: createHttpFetch(opts), clock: opts.clock });
}

function issuedBy(x: X509Certificate, issuer: Uint8Array): boolean {
  try {
    return isIssuedBy(x, new X509Certificate(issuer));
  } catch {
    return false;
  }
}

function selfSigned(cert: Uint8Array): boolean {
  const x = new X509Certificate(cert);
  return x.subject === x.issuer && x.verify(x.publicKey);
}
