/**
 * The baseline levels as every format climbs them (EN 319 122/132/142, TS 119 182: B-B ⊂ B-T ⊂
 * B-LT ⊂ B-LTA), and the services each step needs: a time-stamping authority from B-T, a revocation
 * data source from B-LT. One table and one wording, so CAdES, PAdES, XAdES and JAdES refuse a
 * missing service the same way, before anything is signed.
 */
import { ShomeiError } from '../errors.js';
import type { AdesLevel, FormatServices, RevocationSource, TimestampSource } from './ports.js';

const RANK: Readonly<Record<AdesLevel, number>> = { 'B-B': 0, 'B-T': 1, 'B-LT': 2, 'B-LTA': 3 };

/** The service names format_service_missing reports. */
export const SERVICE_NAMES = {
  timestamps: 'time-stamping authority',
  revocation: 'revocation data source',
} as const;

/** 0 for B-B up to 3 for B-LTA. */
export const levelRank = (level: AdesLevel): number => RANK[level];

/** Whether `level` includes what `min` adds (B-LTA is at least B-T). */
export const atLeast = (level: AdesLevel, min: AdesLevel): boolean => RANK[level] >= RANK[min];

/** The TSA, or format_service_missing naming `level` (the level that needs it). */
export function timestampsFor(level: AdesLevel, services: FormatServices): TimestampSource {
  if (!services.timestamps) {
    throw new ShomeiError('format_service_missing', { level, service: SERVICE_NAMES.timestamps });
  }
  return services.timestamps;
}

/** The revocation source, or format_service_missing naming `level`. */
export function revocationFor(level: AdesLevel, services: FormatServices): RevocationSource {
  if (!services.revocation) {
    throw new ShomeiError('format_service_missing', { level, service: SERVICE_NAMES.revocation });
  }
  return services.revocation;
}

/**
 * Refuses before anything is signed when `level` is not a baseline level (invalid_parameter: it
 * would otherwise rank as nothing and quietly yield B-B) or needs a service that is not configured.
 */
export function checkServices(level: AdesLevel, services: FormatServices): void {
  if (!Object.hasOwn(RANK, level)) throw new ShomeiError('invalid_parameter', { name: 'level' });
  if (atLeast(level, 'B-T')) timestampsFor(level, services);
  if (atLeast(level, 'B-LT')) revocationFor(level, services);
}
