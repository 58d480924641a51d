/**
 * Trust anchors and ETSI TS 119 612 trusted lists as typed values (TRUST-1). A trusted-list anchor
 * keeps its service's type and status history, so a validator can ask "was this a granted
 * qualified CA at time T?" rather than only "is this certificate trusted?".
 */

/** TS 119 612 §5.5.1 service type URIs start with this; `kind` is the rest (e.g. 'CA/QC', 'TSA/QTST'). */
export const SERVICE_TYPE_PREFIX = 'http://uri.etsi.org/TrstSvc/Svctype/';

/** TS 119 612 v2 §5.5.4 status URIs (granted, withdrawn, …); v1 lists used the second form. */
const STATUS_PREFIXES = [
  'http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/',
  'http://uri.etsi.org/TrstSvc/Svcstatus/',
];

/**
 * Statuses under which a service is approved: TS 119 612 v2 (granted, recognised at national
 * level) and the pre-2016 approval statuses a service history may still hold (v1 §5.5.4).
 */
const ACTIVE_STATUSES = new Set([
  'granted',
  'recognisedatnationallevel',
  'undersupervision',
  'supervisionincessation',
  'accredited',
  'setbynationallaw',
]);

export interface StatusPeriod {
  /** The status URI as the list states it. */
  readonly status: string;
  /** StatusStartingTime, ms since the epoch. */
  readonly starting: number;
}

export interface TrustService {
  readonly providerName: string;
  readonly name: string;
  /** ServiceTypeIdentifier URI. */
  readonly type: string;
  /** The URI without SERVICE_TYPE_PREFIX, e.g. 'CA/QC' or 'TSA/QTST'. */
  readonly kind: string;
  /** Current status first, then the ServiceHistory, newest first. */
  readonly history: readonly StatusPeriod[];
  /** The X509Certificate digital identities (DER). */
  readonly certificates: readonly Buffer[];
}

export interface TrustList {
  readonly source: string;
  readonly territory: string;
  readonly sequenceNumber: number;
  readonly issued: number;
  readonly nextUpdate: number;
  readonly services: readonly TrustService[];
}

export type AnchorOrigin =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'service' }
  | {
      readonly kind: 'trust-list';
      readonly source: string;
      readonly territory: string;
      readonly service: TrustService;
    };

export interface TrustAnchor {
  /** DER. */
  readonly certificate: Buffer;
  readonly subject: string;
  readonly origin: AnchorOrigin;
}

/** The short status name ('granted', 'withdrawn', …) of a status URI. */
export function statusName(uri: string): string {
  const prefix = STATUS_PREFIXES.find((p) => uri.startsWith(p));
  return prefix ? uri.slice(prefix.length) : uri;
}

/** The status in force at `time` (ms): the newest period that had started; undefined before the first. */
export function serviceStatusAt(
  service: TrustService,
  time: number,
): { readonly status: string; readonly active: boolean } | undefined {
  const period = [...service.history].sort((a, b) => b.starting - a.starting).find((p) => p.starting <= time);
  if (!period) return undefined;
  const status = statusName(period.status);
  return { status, active: ACTIVE_STATUSES.has(status) };
}

/**
 * Whether `anchor` came from a trusted list as a service of `kind` (default 'CA/QC') whose status
 * was an approval at `time` — e.g. "a qualified CA at the signing time".
 */
export function qualifiedAt(anchor: TrustAnchor, time: number, kind = 'CA/QC'): boolean {
  if (anchor.origin.kind !== 'trust-list' || anchor.origin.service.kind !== kind) return false;
  return serviceStatusAt(anchor.origin.service, time)?.active === true;
}
