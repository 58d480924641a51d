/**
 * XAdES (FMT-1, ETSI EN 319 132-1 baseline B-B, B-T, B-LT, B-LTA): enveloped, enveloping and
 * detached XML signatures on the two-step contract of ../ports.ts, and our own consistency check.
 */

export type { DetachedDocument, PackagingOptions, XadesPackaging } from './packaging.js';
export { MAX_XML_BYTES, type ParsedXml, parseXml } from './parse.js';
export { prepareXades, type XadesOptions } from './prepare.js';
export type { DetachedResolver } from './references.js';
export type { LongTermValues } from './values.js';
export { type TimeStampCheck, type VerifyOptions, verifyXades, type XadesVerification } from './verify.js';
