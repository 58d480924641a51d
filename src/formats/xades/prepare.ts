/**
 * prepareXades (FMT-1, ETSI EN 319 132-1 baseline B-B → B-LTA) on the two-step contract of
 * ports.ts: the digest of canonical SignedInfo now, the document once the signature value is in.
 * Ids derive from the input, certificate and signing time, so both signing ways give equal bytes.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { checkServices } from '../levels.js';
import type { AdesLevel, FormatServices, PreparedSignature, SignerIdentity } from '../ports.js';
import { NS, signatureMethod, type XmlSignatureMethod } from './algorithms.js';
import { canonicalElement } from './c14n.js';
import { child, childElements } from './dom.js';
import { compose, partAlone } from './locate.js';
import { keyInfoXml, render, type SignatureModel } from './model.js';
import { type DetachedDocument, type PackagingOptions, type Placement, place } from './packaging.js';
import { referenceOctets } from './references.js';
import { xmlSignatureValue } from './signature-value.js';
import { signedInfoXml, signedPropertiesXml } from './signed-info.js';
import { signerKeyType } from './signing-certificate.js';
import { augment } from './unsigned.js';

export interface XadesOptions extends PackagingOptions {
  readonly level: AdesLevel;
}

interface Draft {
  readonly model: SignatureModel;
  readonly placement: Placement;
  /** Canonical ds:SignedInfo: what the signature value signs. */
  readonly signedInfo: Buffer;
}

function signatureId(input: Uint8Array, signer: SignerIdentity, cert: Uint8Array): string {
  const h = createHash('sha256').update(cert).update(signer.signingTime.toISOString()).update(input);
  return `xades-${h.digest('hex').slice(0, 24)}`;
}

/**
 * Input-driven failures inside the XML machinery (a canonicaliser refusing a node, a DOM quirk)
 * become xml_invalid rather than a 500; catalogue errors pass through.
 */
function asInputError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ShomeiError) throw e;
    throw new ShomeiError('xml_invalid', { detail: 'the document cannot be processed' }, { cause: e });
  }
}

/** The signature with SignedInfo complete, digests taken from it as placed in its document. */
function draft(
  input: Uint8Array | DetachedDocument,
  signer: SignerIdentity,
  opts: XadesOptions,
  method: XmlSignatureMethod,
): Draft {
  const cert = signer.chain[0] as Uint8Array;
  const id = signatureId(input instanceof Uint8Array ? input : input.bytes, signer, cert);
  const placement = place(input, opts, id);
  const data = { uri: placement.uri, transforms: placement.transforms };
  const props = { id, signingTime: signer.signingTime, certificate: cert, hash: method.hash };
  const first: SignatureModel = {
    before: placement.before,
    after: placement.after,
    id,
    signedInfo: signedInfoXml({ id, method, data }),
    signatureValue: '',
    keyInfo: keyInfoXml(signer.chain),
    signedProperties: signedPropertiesXml({ ...props, mimeType: placement.mimeType }),
    unsigned: [],
    dataObject: placement.dataObject,
  };
  const placed = compose(placement, first);
  const [dataRef, propsRef] = childElements(child(placed.signature, NS.ds, 'SignedInfo'), NS.ds, 'Reference');
  const digest = (ref: typeof dataRef) =>
    createHash(method.hash.node)
      .update(referenceOctets(placed.doc, placed.signature, ref as NonNullable<typeof ref>, placement.detached))
      .digest();
  const model = {
    ...first,
    signedInfo: signedInfoXml({ id, method, data, digests: [digest(dataRef), digest(propsRef)] }),
  };
  const signedInfo = canonicalElement(partAlone(model.signedInfo));
  return { model, placement, signedInfo };
}

export async function prepareXades(
  input: Uint8Array | DetachedDocument,
  signer: SignerIdentity,
  opts: XadesOptions,
  services: FormatServices,
): Promise<PreparedSignature> {
  checkServices(opts.level, services);
  const cert = signer.chain[0];
  if (!cert) throw new ShomeiError('invalid_parameter', { name: 'signer certificate' });
  if (Number.isNaN(signer.signingTime.getTime())) throw new ShomeiError('invalid_parameter', { name: 'signingTime' });
  const method = signatureMethod(signer, signerKeyType(cert));
  const { model, placement, signedInfo } = asInputError(() => draft(input, signer, opts, method));
  return {
    digest: createHash(method.hash.node).update(signedInfo).digest(),
    async finish(signatureValue) {
      const value = xmlSignatureValue(method, cert, signedInfo, signatureValue);
      const signed = { ...model, signatureValue: value.toString('base64') };
      const ctx = { hash: method.hash, chain: signer.chain, placement };
      return new TextEncoder().encode(render(await augment(signed, opts.level, ctx, services)));
    },
  };
}
