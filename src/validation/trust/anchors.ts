/**
 * loadTrustAnchors (TRUST-1): the certificates a validator may end a path at, from configuration —
 * PEM/DER files, this service's own CA root (by default), and ETSI TS 119 612 trusted lists whose
 * signature and freshness are checked before any of their services is believed.
 */

import { X509Certificate } from 'node:crypto';
import { readFile as fsReadFile } from 'node:fs/promises';
import type { Config } from '../../config/index.js';
import { isShomeiError, ShomeiError } from '../../errors.js';
import { parseXml } from '../../formats/xades/index.js';
import type { Clock } from '../../platform/index.js';
import type { TrustAnchor, TrustList } from './model.js';
import { listInvalid, readTrustList } from './tsl-parse.js';
import { checkTrustListSignature } from './tsl-signature.js';

export type TrustConfig = Config['trust'];

export interface TrustDeps {
  readonly clock: Clock;
  /** Reads a configured file (default: node:fs). */
  readonly readFile?: (path: string) => Promise<Buffer>;
  /** Fetches a trusted list by URL, at most `maxBytes`; without it, URL sources are refused. */
  readonly fetch?: (url: string, maxBytes: number) => Promise<Uint8Array>;
  /** This service's CA root certificates (DER), trusted when `includeServiceRoot`. */
  readonly serviceRoots?: () => Promise<readonly Uint8Array[]>;
}

export interface TrustAnchors {
  readonly anchors: readonly TrustAnchor[];
  readonly lists: readonly TrustList[];
  /** Anchors that are `cert` itself or could have issued it (same subject as its issuer, and its signature verifies). */
  find(cert: Uint8Array): TrustAnchor[];
}

/** Certificates from PEM (one or more) or DER bytes; throws trust_anchor_invalid naming `source`. */
export function certificatesOf(bytes: Uint8Array, source: string): Buffer[] {
  const text = Buffer.from(bytes).toString('latin1');
  try {
    // RFC 7468 §2 textual encoding; @peculiar/x509's PEM reader would need reflect-metadata.
    const ders = text.includes('-----BEGIN')
      ? [...text.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*)-----END CERTIFICATE-----/g)].map((m) =>
          Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64'),
        )
      : [Buffer.from(bytes)];
    for (const d of ders) new X509Certificate(d);
    if (ders.length === 0) throw new Error('no certificate');
    return ders;
  } catch {
    throw new ShomeiError('trust_anchor_invalid', { source, detail: 'not a PEM or DER certificate' });
  }
}

export interface TrustListInput {
  readonly source: string;
  readonly signers: readonly Uint8Array[];
  readonly now: number;
  readonly maxBytes: number;
}

/** Parses, checks the signature of, and checks the freshness of one trusted list. */
export function loadTrustList(bytes: Uint8Array, input: TrustListInput): TrustList {
  const { source } = input;
  let parsed: ReturnType<typeof parseXml>;
  try {
    parsed = parseXml(bytes, input.maxBytes);
  } catch (e) {
    throw isShomeiError(e) ? listInvalid(source, e.message) : e;
  }
  // The signature first: nothing of an unsigned or tampered list is read as a fact.
  checkTrustListSignature(bytes, parsed, input.signers, source);
  const list = readTrustList(parsed, source);
  if (!(list.nextUpdate > input.now)) {
    const nextUpdate = Number.isFinite(list.nextUpdate) ? new Date(list.nextUpdate).toISOString() : 'none: closed list';
    throw new ShomeiError('trust_list_expired', { source, nextUpdate });
  }
  return list;
}

const subjectOf = (der: Uint8Array) => new X509Certificate(der).subject;

export async function loadTrustAnchors(config: Pick<Config, 'trust'>, deps: TrustDeps): Promise<TrustAnchors> {
  const { trust } = config;
  const readFile = deps.readFile ?? ((p: string) => fsReadFile(p));
  const read = async (path: string, code: 'trust_anchor_invalid' | 'trust_list_unavailable') => {
    try {
      return await readFile(path);
    } catch {
      throw new ShomeiError(code, { source: path, detail: 'the file cannot be read' });
    }
  };
  const anchors: TrustAnchor[] = [];
  for (const path of trust.anchors) {
    for (const der of certificatesOf(await read(path, 'trust_anchor_invalid'), path)) {
      anchors.push({ certificate: der, subject: subjectOf(der), origin: { kind: 'file', path } });
    }
  }
  if (trust.includeServiceRoot && deps.serviceRoots) {
    for (const der of await deps.serviceRoots()) {
      anchors.push({ certificate: Buffer.from(der), subject: subjectOf(der), origin: { kind: 'service' } });
    }
  }
  const lists: TrustList[] = [];
  for (const tl of trust.trustLists) {
    const signers = (
      await Promise.all(
        tl.signerCertificates.map(async (p) => certificatesOf(await read(p, 'trust_anchor_invalid'), p)),
      )
    ).flat();
    const bytes = await fetchList(tl.source, trust.maxTrustListBytes, read, deps);
    const list = loadTrustList(bytes, {
      source: tl.source,
      signers,
      now: deps.clock.now(),
      maxBytes: trust.maxTrustListBytes,
    });
    lists.push(list);
    for (const service of list.services) {
      for (const der of service.certificates) {
        const origin = { kind: 'trust-list', source: list.source, territory: list.territory, service } as const;
        anchors.push({ certificate: der, subject: subjectOf(der), origin });
      }
    }
  }
  return { anchors, lists, find: (cert) => findAnchors(anchors, cert) };
}

async function fetchList(
  source: string,
  maxBytes: number,
  read: (p: string, code: 'trust_list_unavailable') => Promise<Buffer>,
  deps: TrustDeps,
): Promise<Uint8Array> {
  if (!/^https?:\/\//i.test(source)) return read(source, 'trust_list_unavailable');
  if (!deps.fetch) throw new ShomeiError('trust_list_unavailable', { source, detail: 'no network access was given' });
  try {
    return await deps.fetch(source, maxBytes);
  } catch (e) {
    if (isShomeiError(e)) throw e;
    throw new ShomeiError('trust_list_unavailable', {
      source,
      detail: e instanceof Error ? e.message : 'fetch failed',
    });
  }
}

function findAnchors(anchors: readonly TrustAnchor[], cert: Uint8Array): TrustAnchor[] {
  const c = new X509Certificate(Buffer.from(cert));
  return anchors.filter((a) => {
    if (a.certificate.equals(c.raw)) return true;
    const issuer = new X509Certificate(a.certificate);
    return c.checkIssued(issuer) && c.verify(issuer.publicKey);
  });
}
