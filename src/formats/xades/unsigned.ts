/**
 * Unsigned properties from B-T to B-LTA (EN 319 132-1 §5.3, §5.4, §5.5; §6.3 table 1), each added
 * to the rendered signature in turn so that every time-stamp covers what precedes it:
 *   B-T   xades:SignatureTimeStamp over canonical ds:SignatureValue (§5.3);
 *   B-LT  xades:CertificateValues and xades:RevocationValues for the signer's and the TSA's paths;
 *   B-LTA xades141:ArchiveTimeStamp (§5.5.2), then xades141:TimeStampValidationData for its TSA
 *         when that path is not already in CertificateValues.
 */
import type { HashAlgorithm } from '../../keys/index.js';
import { stampData, tsaChain } from '../cms/index.js';
import { atLeast } from '../levels.js';
import { collectValidationData, uniqueDer as unique } from '../ltv/index.js';
import type { AdesLevel, FormatServices, TimestampSource, ValidationData } from '../ports.js';
import { EXC_C14N } from './algorithms.js';
import { archiveTimeStampInput } from './archive.js';
import { canonicalElement } from './c14n.js';
import { compose, partAlone } from './locate.js';
import { ids, type SignatureModel, signatureValueXml } from './model.js';
import type { Placement } from './packaging.js';

export interface SignerContext {
  readonly hash: HashAlgorithm;
  readonly chain: readonly Uint8Array[];
  readonly placement: Placement;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

async function timeStampXml(tag: string, id: string, input: Buffer, hash: HashAlgorithm, tsa: TimestampSource) {
  const token = await stampData(tsa, input, hash.name);
  const chain = tsaChain(token);
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

export async function augment(
  model: SignatureModel,
  level: AdesLevel,
  ctx: SignerContext,
  services: FormatServices,
): Promise<SignatureModel> {
  const { timestamps, revocation } = services;
  if (!atLeast(level, 'B-T') || !timestamps) return model;
  const i = ids(model.id);
  let m = model;
  const sv = canonicalElement(partAlone(signatureValueXml(m)));
  const sigTs = await timeStampXml('xades:SignatureTimeStamp', i.signatureTimeStamp, sv, ctx.hash, timestamps);
  m = { ...m, unsigned: [sigTs.xml] };
  if (!atLeast(level, 'B-LT') || !revocation) return m;

  const tsaChain = sigTs.chain;
  const vd = await collectValidationData(revocation, [ctx.chain, tsaChain]);
  // §5.4.1: certificates already in ds:KeyInfo need not be repeated in CertificateValues.
  const certs = unique([...tsaChain, ...vd.certificates], ctx.chain);
  m = { ...m, unsigned: [...m.unsigned, valuesXml(certs, vd)] };
  if (!atLeast(level, 'B-LTA')) return m;

  const at = compose(ctx.placement, m);
  const input = archiveTimeStampInput(at.doc, at.signature, ctx.placement.detached);
  const ats = await timeStampXml('xades141:ArchiveTimeStamp', i.archiveTimeStamp(1), input, ctx.hash, timestamps);
  m = { ...m, unsigned: [...m.unsigned, ats.xml] };
  const atsChain = ats.chain;
  const known = [...ctx.chain, ...certs];
  if (unique(atsChain, known).length === 0) return m;
  // A TSA whose path is not in the signature yet: its validation data follows its time-stamp
  // (xades141:TimeStampValidationData, EN 319 132-1 §5.5.1), for the next renewal to cover.
  const atsVd = await collectValidationData(revocation, [atsChain]);
  const data = valuesXml(unique([...atsChain, ...atsVd.certificates], known), atsVd);
  const tsvd = `<xades141:TimeStampValidationData URI="#${i.archiveTimeStamp(1)}">${data}</xades141:TimeStampValidationData>`;
  return { ...m, unsigned: [...m.unsigned, tsvd] };
}
