/**
 * RFC 5280 §6 certification path validation (issue 8): chain building, basic path processing,
 * policies, name constraints, CRL and OCSP revocation. Never throws: malformed input gives a
 * FAILED or INDETERMINATE result with a reason. Conformance: NIST PKITS and x509-limbo
 * (test/conformance-pkits.test.ts, test/conformance-limbo.test.ts).
 */
import { type Certificate, certLabel, parseCertificate } from './certificate.js';
import { type Crl, parseCrl } from './crl.js';
import { type OcspResponse, parseOcsp } from './ocsp.js';
import { type PathInput, type PathResult, SUB } from './types.js';
import { type Parsed, validateParsed } from './validate.js';

export type {
  PathIndication,
  PathInput,
  PathResult,
  PolicyInput,
  RevocationInput,
  RevocationStatus,
} from './types.js';
/** The ETSI EN 319 102-1 sub-indication names this module reports. */
export { SUB as SUB_INDICATION } from './types.js';

/** Inputs above these sizes are ignored rather than parsed (bounded work on hostile input). */
const MAX_INTERMEDIATES = 64;
const MAX_ANCHORS = 512;
const MAX_REVOCATION_OBJECTS = 256;
const MAX_FETCH_ROUNDS = 4;

function tryParse<T>(items: readonly Uint8Array[], limit: number, parse: (d: Uint8Array) => T | undefined): T[] {
  const out: T[] = [];
  for (const d of items.slice(0, limit)) {
    try {
      const v = parse(d);
      if (v !== undefined) out.push(v);
    } catch {
      // Junk is allowed in the pools and is simply not a candidate.
    }
  }
  return out;
}

const unique = (certs: Certificate[]): Certificate[] =>
  certs.filter((c, i) => certs.findIndex((x) => x.id === c.id) === i);

export async function validatePath(input: PathInput): Promise<PathResult> {
  let target: Certificate;
  try {
    target = parseCertificate(input.target);
  } catch (e) {
    return {
      indication: 'FAILED',
      subIndication: SUB.FORMAT_FAILURE,
      reason: `target certificate cannot be parsed: ${(e as Error).message}`,
      chain: [],
      revocation: [],
    };
  }
  try {
    const parsed: Parsed = {
      target,
      pool: unique(tryParse(input.intermediates, MAX_INTERMEDIATES, parseCertificate)),
      anchors: unique(tryParse(input.anchors, MAX_ANCHORS, parseCertificate)),
      crls: tryParse<Crl>(input.revocation?.crls ?? [], MAX_REVOCATION_OBJECTS, parseCrl),
      ocsp: tryParse<OcspResponse>(input.revocation?.ocsp ?? [], MAX_REVOCATION_OBJECTS, parseOcsp),
    };
    let p = parsed;
    let result = validateParsed(input, p);
    const fetch = input.revocation?.fetch;
    // Each round can reveal the next unknown status up the chain; a few rounds cover any real path.
    const asked = new Set<string>();
    for (let round = 0; fetch && round < MAX_FETCH_ROUNDS; round++) {
      const next = await refetch(p, result, fetch, asked);
      if (!next) break;
      p = next;
      result = validateParsed(input, p);
    }
    return result;
  } catch (e) {
    return {
      indication: 'INDETERMINATE',
      subIndication: SUB.GENERAL,
      reason: `validation of ${certLabel(target)} failed: ${(e as Error).message}`,
      chain: [input.target],
      revocation: [],
    };
  }
}

/**
 * Asks the caller's fetcher for the CRLs / OCSP responses of certificates whose status is still
 * unknown (each certificate once). A failing fetcher is treated as "nothing found".
 */
async function refetch(
  p: Parsed,
  r: PathResult,
  fetch: NonNullable<NonNullable<PathInput['revocation']>['fetch']>,
  asked: Set<string>,
): Promise<Parsed | undefined> {
  const crls = [...p.crls];
  const ocsp = [...p.ocsp];
  let fetched = false;
  for (const s of r.revocation) {
    const certDer = r.chain[s.cert];
    const issuerDer = r.chain[s.cert + 1];
    if (s.status !== 'unknown' || s.source !== 'none' || !certDer || !issuerDer) continue;
    const id = Buffer.from(certDer).toString('base64');
    if (asked.has(id)) continue;
    asked.add(id);
    const cert = parseCertificate(certDer);
    const urls = { crl: [...(cert.ext.crlUrls ?? [])], ocsp: [...(cert.ext.ocspUrls ?? [])] };
    const got = await fetch(urls, certDer, issuerDer).catch(() => ({ crls: [], ocsp: [] }));
    crls.push(...tryParse(got.crls, MAX_REVOCATION_OBJECTS, parseCrl));
    ocsp.push(...tryParse(got.ocsp, MAX_REVOCATION_OBJECTS, parseOcsp));
    fetched = true;
  }
  return fetched ? { ...p, crls, ocsp } : undefined;
}
