/**
 * Fetching revocation status now, for signatures that carry none (B-B, B-T): the path validator's
 * `fetch` over the formats' HTTP edge (formats/ltv), OCSP first (RFC 6960 over POST) then CRLs.
 */
import { type HttpFetch, ocspQuery } from '../../formats/ltv/index.js';
import type { RevocationInput } from './path.js';

export type RevocationFetch = NonNullable<RevocationInput['fetch']>;

export function revocationFetch(http: HttpFetch): RevocationFetch {
  return async (urls, cert, issuer) => {
    const ocsp: Uint8Array[] = [];
    for (const url of urls.ocsp) {
      const query = await ocspQuery(cert, issuer);
      const headers = { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' };
      const res = await http({ url, method: 'POST', headers, body: query.der }).catch(() => undefined);
      if (res?.status === 200) {
        ocsp.push(res.body);
        return { ocsp, crls: [] };
      }
    }
    const crls: Uint8Array[] = [];
    for (const url of urls.crl) {
      const res = await http({ url, method: 'GET' }).catch(() => undefined);
      if (res?.status === 200) crls.push(res.body);
    }
    return { ocsp, crls };
  };
}
