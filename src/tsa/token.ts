/**
 * The time-stamp token (RFC 3161 §2.4.2): a CMS SignedData over the TSTInfo, eContentType
 * id-ct-TSTInfo, built by the shared CMS core (formats/cms) with the signed attributes content-type,
 * message-digest and signing-certificate-v2 (RFC 5816: ESSCertIDv2 identifies the TSA certificate).
 */
import { createHash } from 'node:crypto';
import { CMS_OID, prepareCms, readSignedData, splice, TAG, tlv } from '../formats/cms/index.js';
import { HASHES, type KeyService } from '../keys/index.js';
import type { TsaIdentity } from './identity.js';

export async function signToken(
  keys: KeyService,
  identity: TsaIdentity,
  tstInfo: Uint8Array,
  genTime: number,
  certReq: boolean,
): Promise<Uint8Array> {
  const signer = identity.signer(genTime, certReq);
  const prepared = prepareCms({
    signer,
    contentType: CMS_OID.tstInfo,
    content: tstInfo,
    contentDigest: createHash(HASHES[signer.hash].node).update(tstInfo).digest(),
    // RFC 3161 tokens state their time in genTime; a signing-time attribute would only repeat it.
    signingTimeAttribute: false,
  });
  const [signature] = await keys.signDigests(identity.keyId, identity.signature, [prepared.digest]);
  if (!signature) throw new Error('no signature from the key service');
  const token = prepared.assemble(signature);
  return certReq ? token : withoutCertificates(token);
}

/**
 * RFC 3161 §2.4.1: without certReq, the SignedData's certificates field MUST NOT be present; the
 * CMS core always writes the signer's, so the field is cut out (the signature does not cover it).
 */
function withoutCertificates(token: Uint8Array): Uint8Array {
  const view = readSignedData(token);
  const certs = view.certificates;
  if (!certs) return token;
  const [, , sd] = view.path;
  const signedData = tlv(TAG.sequence, token.subarray(sd.body, certs.start), token.subarray(certs.end, sd.end));
  return splice(token, view.path, signedData);
}
