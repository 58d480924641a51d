/**
 * JAdES signing in the two steps of ports.ts: the protected header and the JWS Signing Input
 * (RFC 7515 §5.1) are fixed in `prepareJades`, whose digest the caller has signed by signHash;
 * `finish` turns the value into the JWS Signature, checks it against the signer's certificate,
 * adds the unsigned properties of the level and serializes.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { HASHES, verifySignature } from '../../keys/index.js';
import type { FormatServices, PreparedSignature, SignerIdentity } from '../ports.js';
import { chooseAlgorithm } from './alg.js';
import { b64url, toJwsSignature } from './codec.js';
import { detachedReference, protectedHeader } from './header.js';
import { checkOptions, type JadesOptions } from './options.js';
import { serialize } from './serialize.js';
import { unsignedProperties } from './unsigned.js';

export async function prepareJades(
  payload: Uint8Array,
  signer: SignerIdentity,
  opts: JadesOptions,
  services: FormatServices,
): Promise<PreparedSignature> {
  const o = checkOptions(opts, services);
  if (!(payload instanceof Uint8Array))
    throw new ShomeiError('jades_invalid_option', { name: 'payload', detail: 'not bytes' });
  if (!(signer.signingTime instanceof Date) || Number.isNaN(signer.signingTime.getTime())) {
    throw new ShomeiError('jades_invalid_option', { name: 'signingTime', detail: 'not a date' });
  }
  const chosen = chooseAlgorithm(signer);
  const document = Buffer.from(payload); // the caller may reuse its buffer before finish
  const chain = signer.chain.map((c) => Buffer.from(c));
  const sigD = o.detached ? detachedReference(document, signer.hash, o) : undefined;
  const protectedB64 = b64url(JSON.stringify(protectedHeader(chosen.jws, signer, o, sigD)));
  // §5.2.8.3.3: with ObjectIdByURIHash the JWS Payload is empty in the Signing Input.
  const payloadB64 = o.detached ? '' : b64url(document);
  const signingInput = Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii');
  const digest = createHash(HASHES[signer.hash].node).update(signingInput).digest();

  return {
    digest,
    async finish(signatureValue: Uint8Array): Promise<Uint8Array> {
      const signature = toJwsSignature(chosen.jws, signatureValue);
      const verified = verifySignature({
        spki: chosen.spki,
        scheme: chosen.resolved.scheme,
        hash: signer.hash,
        digest,
        signature: signatureValue,
        ...(chosen.resolved.saltLength !== undefined ? { saltLength: chosen.resolved.saltLength } : {}),
      });
      if (!verified) throw new ShomeiError('invalid_parameter', { name: 'signatureValue' });
      const signatureB64 = b64url(signature);
      const parts = { dataB64: b64url(document), protectedB64, signatureB64 };
      const etsiU = await unsignedProperties(o.level, parts, chain, signer.hash, services);
      return serialize({ protectedB64, payloadB64, signatureB64, etsiU, detached: o.detached }, o.serialization);
    },
  };
}
