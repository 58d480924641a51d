/**
 * The CSC 1.0.4.0 mapping (csc-api-v2.md §7): `hash`/`hashAlgo` for `hashes`/`hashAlgorithmOID`,
 * top-level `PIN`/`OTP` for `authData`, `authMode` + `PIN`/`OTP` descriptors for `auth`, `sendOTP`
 * for `getChallenge`, `maxResults`/`pageToken` paging. v1 `info` has no format or algorithm lists.
 */
import { readCredentialCore } from './parse.js';
import { b64, type Reader } from './read.js';
import type { AuthObject, CredentialInfo } from './types.js';
import { v2Wire, type WireMapping } from './wire.js';

/** v1 `PIN`/`OTP` descriptors (presence "true") → the v2 auth objects the rest of the client reads. */
function authOf(r: Reader): CredentialInfo['auth'] {
  const objects: AuthObject[] = [];
  for (const field of ['PIN', 'OTP'] as const) {
    const d = r.optObj(field);
    if (d?.optStr('presence') !== 'true') continue;
    const label = d.optStr('label');
    const format = d.optStr('format');
    objects.push({
      type: 'Password',
      // The OTP object keeps the service's ID (e.g. TOTP) so a caller sees which factor it is.
      id: field === 'PIN' ? 'PIN' : (d.optStr('ID') ?? 'OTP'),
      ...(format ? { format } : {}),
      ...(label ? { label } : {}),
    });
  }
  return { mode: r.str('authMode'), objects };
}

export const v1Wire: WireMapping = {
  version: 'v1',
  apiPath: '/csc/v1',
  readInfo: (r) => ({
    specs: r.str('specs'),
    name: r.str('name'),
    region: r.str('region'),
    lang: r.str('lang'),
    description: r.str('description'),
    authType: r.strs('authType'),
    ...(r.optStr('oauth2') ? { oauth2: r.optStr('oauth2') as string } : {}),
    methods: r.strs('methods'),
    signAlgorithms: [],
    signatureFormats: {},
    conformanceLevels: [],
  }),
  listBody: (o) => (o.pageToken ? { pageToken: o.pageToken } : {}),
  readList: (r) => {
    const next = r.optStr('nextPageToken');
    return { ids: r.strs('credentialIDs'), ...(next ? { next } : {}) };
  },
  infoBody: v2Wire.infoBody,
  // The key/cert/SCAL/multisign fields are v2's; only `auth` is shaped differently.
  readCredentialInfo: (r) => ({ ...readCredentialCore(r), auth: authOf(r) }),
  authorizeBody: (req, authData) => {
    const pin = authData.find((a) => a.id === 'PIN')?.value;
    const otp = authData.find((a) => a.id !== 'PIN')?.value;
    return {
      credentialID: req.credentialID,
      numSignatures: req.numSignatures ?? req.hashes.length,
      hash: req.hashes.map(b64),
      hashAlgo: req.hashAlgorithmOID,
      ...(pin !== undefined ? { PIN: pin } : {}),
      ...(otp !== undefined ? { OTP: otp } : {}),
      ...(req.description ? { description: req.description } : {}),
    };
  },
  signHashBody: (req) => {
    const { hashes, hashAlgorithmOID, ...same } = v2Wire.signHashBody(req);
    return { ...same, hash: hashes, ...(hashAlgorithmOID ? { hashAlgo: hashAlgorithmOID } : {}) };
  },
  challenge: (credentialID) => ({ method: 'credentials/sendOTP', body: { credentialID } }),
  hasV2Only: false,
};
