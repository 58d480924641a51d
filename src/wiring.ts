/**
 * Adapters from the modules to the signing ports (signing/ports.ts). Kept apart from app.ts so the
 * composition root reads as a list of parts.
 */
import type { SadService } from './auth/index.js';
import { ShomeiError } from './errors.js';
import {
  hashByOid,
  type KeyService,
  type KeyType,
  keyAlgoOids,
  keyInfo,
  type ResolvedSignature,
  resolveSignature,
} from './keys/index.js';
import type { CredentialsPort, KeysPort, SadsPort } from './signing/index.js';
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
