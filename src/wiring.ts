/**
 * Adapters from the modules to the signing ports (signing/ports.ts). Kept apart from app.ts so the
 * composition root reads as a list of parts.
 */
import { createHash } from 'node:crypto';
import type { SadService } from './auth/index.js';
import { ShomeiError } from './errors.js';
import { documentFormat, type FormatServices, isDetached, prepareDigest, prepareDocument } from './formats/index.js';
import {
  hashByOid,
  type KeyService,
  type KeyType,
  keyAlgoOids,
  keyInfo,
  type ResolvedSignature,
  resolveSignature,
} from './keys/index.js';
import type { CredentialsPort, DocumentsPort, KeysPort, SadsPort } from './signing/index.js';
import type { Users } from './users/index.js';

export function keysPort(keys: KeyService): KeysPort<ResolvedSignature> {
  return {
    async describe(keyId) {
      const k = await keys.get(keyId);
      const info = keyInfo(k.keyType);
      return {
        keyType: k.keyType,
        active: k.status === 'active',
        algoOids: keyAlgoOids(k.keyType),
        bits: info.len,
        ...(info.curve ? { curveOid: info.curve } : {}),
      };
    },
    async certificate(keyId) {
      const c = await keys.certificate(keyId);
      if (!c) return undefined;
      return {
        chain: c.chain,
        status: c.status,
        subjectDN: c.subjectDn,
        issuerDN: c.issuerDn,
        serialNumber: c.serialNumber,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
      };
    },
    resolve: (keyType, req) =>
      resolveSignature({
        keyType: keyType as KeyType,
        signAlgo: req.signAlgo,
        hashAlgorithmOID: req.hashAlgorithmOID,
        signAlgoParams: req.signAlgoParams,
      }),
    signDigests: (keyId, resolved, digests) => keys.signDigests(keyId, resolved, digests),
    hashLength: (oid) => hashByOid(oid).length,
  };
}

export function credentialsPort(users: Users): CredentialsPort {
  return {
    get: async (id) => {
      try {
        return await users.getCredential(id);
      } catch (e) {
        if (e instanceof ShomeiError && e.code === 'invalid_credential') return undefined;
        throw e;
      }
    },
    listForUser: (userId) => users.listCredentials(userId),
  };
}

export function sadsPort(sads: SadService): SadsPort {
  return {
    issue: (req) => sads.issueSad(req),
    spend: (req) => sads.spendSad(req),
  };
}

/** FMT-1: the signature formats with the service's TSA and revocation data bound (signDoc). */
export function documentsPort(services: FormatServices): DocumentsPort {
  return {
    async prepare(input, signer, fields) {
      const f = documentFormat(fields);
      const identity = {
        chain: signer.chain,
        hash: hashByOid(signer.hashOid).name,
        signAlgo: signer.signAlgo,
        ...(signer.signAlgoParams ? { signAlgoParams: signer.signAlgoParams } : {}),
        signingTime: signer.signingTime,
      };
      const p =
        'document' in input
          ? await prepareDocument(input.document, identity, f, services)
          : await prepareDigest(input.digest, identity, f, services);
      return {
        digest: Buffer.from(p.digest),
        detached: 'digest' in input || isDetached(f),
        finish: async (value) => Buffer.from(await p.finish(value)),
      };
    },
    digest: (document, hashOid) => createHash(hashByOid(hashOid).node).update(document).digest(),
    async validationInfo(chain) {
      if (!services.revocation) return { ocsp: [], crl: [], certificates: [...chain] };
      const data = await services.revocation.collect(chain);
      const buf = (xs: readonly Uint8Array[]) => xs.map((x) => Buffer.from(x));
      return { ocsp: buf(data.ocspResponses), crl: buf(data.crls), certificates: buf(data.certificates) };
    },
  };
}
