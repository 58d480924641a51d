/**
 * Unsigned properties from B-T to B-LTA (EN 319 132-1 §5.3, §5.4, §5.5; §6.3 table 1), each added
 * to the rendered signature in turn so that every time-stamp covers what precedes it:
 *   B-T   xades:SignatureTimeStamp over canonical ds:SignatureValue (§5.3);
 *   B-LT  xades:CertificateValues and xades:RevocationValues for the signer's and the TSA's paths;
 *   B-LTA xades141:ArchiveTimeStamp (§5.5.2), then xades141:TimeStampValidationData for its TSA
 *         when that path is not already in CertificateValues.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import type { HashAlgorithm } from '../../keys/index.js';
import type { AdesLevel, FormatServices, RevocationSource, TimestampSource, ValidationData } from '../ports.js';
import { EXC_C14N } from './algorithms.js';
import { archiveTimeStampInput } from './archive.js';
import { canonicalElement } from './c14n.js';
import { compose, partAlone } from './locate.js';
import { ids, type SignatureModel, signatureValueXml } from './model.js';
import type { Placement } from './packaging.js';
import { readToken, type TokenView } from './token.js';

const RANK: Readonly<Record<AdesLevel, number>> = { 'B-B': 0, 'B-T': 1, 'B-LT': 2, 'B-LTA': 3 };

/** Refuse before anything is signed when the level needs a service we do not have. */
export function checkServices(level: AdesLevel, services: FormatServices): void {
  if (!(level in RANK)) throw new ShomeiError('invalid_parameter', { name: 'level' });
  if (RANK[level] >= 1 && !services.timestamps) {
    throw new ShomeiError('format_service_missing', { level, service: 'time-stamping service' });
  }
  if (RANK[level] >= 2 && !services.revocation) {
    throw new ShomeiError('format_service_missing', { level, service: 'revocation source' });
  }
}

export interface SignerContext {
  readonly hash: HashAlgorithm;
  readonly chain: readonly Uint8Array[];
  readonly placement: Placement;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** A token from the TSA, refused (timestamp_invalid, 502) unless it covers exactly `digest`. */
function checkedToken(token: Uint8Array, digest: Buffer, hash: HashAlgorithm): TokenView {
  let view: TokenView;
  try {
    view = readToken(token);
  } catch {
    throw new ShomeiError('timestamp_invalid', { detail: 'not a time-stamp token' });
  }
  if (view.hash.name !== hash.name || !view.imprint.equals(digest)) {
    throw new ShomeiError('timestamp_invalid', { detail: 'the token does not cover the requested digest' });
  }
  return view;
}

async function timeStampXml(tag: string, id: string, input: Buffer, hash: HashAlgorithm, tsa: TimestampSource) {
  const digest = createHash(hash.node).update(input).digest();
  const token = await tsa.timestamp(digest, hash.name);
  const { chain } = checkedToken(token, digest, hash);
  const xml =
    `<${tag} Id="${id}"><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"/>` +
    `<xades:EncapsulatedTimeStamp>${b64(token)}</xades:EncapsulatedTimeStamp></${tag}>`;
  return { xml, chain };
}

/** xades:CertificateValues and xades:RevocationValues (CRLValues before OCSPValues, as the schema orders them). */
function valuesXml(certs: readonly Uint8Array[], vd: ValidationData): string {
  const c = certs.map((x) => `<xades:EncapsulatedX509Certificate>${b64(x)}</xades:EncapsulatedX509Certificate>`);
  const crls = vd.crls.map((x) => `<xades:EncapsulatedCRLValue>${b64(x)}</xades:EncapsulatedCRLValue>`);
  const ocsp = vd.ocspResponses.map((x) => `<xades:EncapsulatedOCSPValue>${b64(x)}</xades:EncapsulatedOCSPValue>`);
  return (
    `<xades:CertificateValues>${c.join('')}</xades:CertificateValues><xades:RevocationValues>` +
    `${crls.length ? `<xades:CRLValues>${crls.join('')}</xades:CRLValues>` : ''}` +
    `${ocsp.length ? `<xades:OCSPValues>${ocsp.join('')}</xades:OCSPValues>` : ''}</xades:RevocationValues>`
  );
}

function unique(list: readonly Uint8Array[], except: readonly Uint8Array[] = []): Buffer[] {
  const seen = new Set(except.map((x) => b64(x)));
  const out: Buffer[] = [];
  for (const x of list) {
    if (seen.has(b64(x))) continue;
    seen.add(b64(x));
    out.push(Buffer.from(x));
  }
  return out;
}

/** A token without certificates names no path to collect for. */
const collect = async (source: RevocationSource, chain: readonly Uint8Array[]): Promise<ValidationData> =>
  chain.length ? source.collect(chain) : { certificates: [], ocspResponses: [], crls: [] };

const merge = (a: ValidationData, b: ValidationData): ValidationData => ({
  certificates: [...a.certificates, ...b.certificates],
  ocspResponses: unique([...a.ocspResponses, ...b.ocspResponses]),
  crls: unique([...a.crls, ...b.crls]),
});

export async function augment(
  model: SignatureModel,
  level: AdesLevel,
  ctx: SignerContext,
  services: FormatServices,
): Promise<SignatureModel> {
  const { timestamps, revocation } = services;
  if (RANK[level] < 1 || !timestamps) return model;
  const i = ids(model.id);
  let m = model;
  const sv = canonicalElement(partAlone(signatureValueXml(m)));
  const sigTs = await timeStampXml('xades:SignatureTimeStamp', i.signatureTimeStamp, sv, ctx.hash, timestamps);
  m = { ...m, unsigned: [sigTs.xml] };
  if (RANK[level] < 2 || !revocation) return m;

  const tsaChain = sigTs.chain;
  const vd = merge(await revocation.collect(ctx.chain), await collect(revocation, tsaChain));
  // §5.4.1: certificates already in ds:KeyInfo need not be repeated in CertificateValues.
  const certs = unique([...tsaChain, ...vd.certificates], ctx.chain);
  m = { ...m, unsigned: [...m.unsigned, valuesXml(certs, vd)] };
  if (RANK[level] < 3) return m;

  const at = compose(ctx.placement, m);
  const input = archiveTimeStampInput(at.doc, at.signature, ctx.placement.detached);
  const ats = await timeStampXml('xades141:ArchiveTimeStamp', i.archiveTimeStamp(1), input, ctx.hash, timestamps);
  m = { ...m, unsigned: [...m.unsigned, ats.xml] };
  const atsChain = ats.chain;
  const known = [...ctx.chain, ...certs];
  if (unique(atsChain, known).length === 0) return m;
  // A TSA whose path is not in the signature yet: its validation data follows its time-stamp
  // (xades141:TimeStampValidationData, EN 319 132-1 §5.5.1), for the next renewal to cover.
  const atsVd = await collect(revocation, atsChain);
  const data = valuesXml(unique([...atsChain, ...atsVd.certificates], known), atsVd);
  const tsvd = `<xades141:TimeStampValidationData URI="#${i.archiveTimeStamp(1)}">${data}</xades141:TimeStampValidationData>`;
  return { ...m, unsigned: [...m.unsigned, tsvd] };
}
