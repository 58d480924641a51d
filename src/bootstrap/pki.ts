/**
 * The pieces the composition root gives signature formats and validation (FMT-1, TSA-1, TRUST-1):
 * one fetcher for OCSP, CRLs and CA certificates (this service's own URLs answered in-process,
 * others over HTTP), the time-stamp source, and the trust store.
 */
import type { LocalCa } from '../ca/index.js';
import { readCertificateFiles } from '../ca/index.js';
import type { Config } from '../config/index.js';
import { ShomeiError } from '../errors.js';
import type { TimestampSource } from '../formats/index.js';
import { createHttpFetch, type HttpFetch, type InjectFn, injectFetch, routeFetch } from '../formats/ltv/index.js';
import type { Clock, Random } from '../platform/index.js';
import { createHttpTimestampSource, inProcessTimestampSource, type Tsa } from '../tsa/index.js';
import { createTrustStore, loadTrustAnchors, type TrustStore } from '../validation/trust/index.js';

/** OCSP/CRL/caIssuers fetches: this service's own URLs through `inject`, the rest over HTTP. */
export const serviceFetch = (baseUrl: string, inject: InjectFn): HttpFetch =>
  routeFetch(baseUrl, injectFetch(inject), createHttpFetch({ timeoutMs: 5000 }));

/** The built-in TSA, or the external one `tsa.externalUrl` names (its token chained to tsa.externalAnchors). */
export function timestampSource(config: Readonly<Config>, tsa: Tsa, random: Random): TimestampSource {
  if (!config.tsa.externalUrl) return inProcessTimestampSource(tsa);
  return createHttpTimestampSource({
    url: config.tsa.externalUrl,
    timeoutMs: 10_000,
    trustAnchors: readCertificateFiles(config.tsa.externalAnchors),
    random,
  });
}

/** The roots of this service's own CA. */
export const serviceRoots = async (ca: LocalCa): Promise<Buffer[]> =>
  (await ca.authorities()).filter((a) => a.role === 'root').map((a) => a.certificate);

/** Configured anchors, this service's root and trusted lists, reloaded every 10 minutes. */
export function trustStore(
  config: Readonly<Config>,
  deps: { readonly ca: LocalCa; readonly clock: Clock; readonly onError: (err: unknown) => void },
): TrustStore {
  const load = () =>
    loadTrustAnchors(config, {
      clock: deps.clock,
      serviceRoots: () => serviceRoots(deps.ca),
      fetch: async (url, maxBytes) => {
        const r = await createHttpFetch({ timeoutMs: 10_000, maxBytes })({ url, method: 'GET' });
        if (r.status !== 200)
          throw new ShomeiError('trust_list_unavailable', { source: url, detail: `HTTP ${r.status}` });
        return r.body;
      },
    });
  return createTrustStore(load, deps.clock, 10 * 60_000, deps.onError);
}
