/** CSC v2 answers (csc-api-v2.md §3.1, §4.2, §5.2) read into the client's types. */
import type { Reader } from './read.js';
import type { CredentialInfo, CscInfo, SignDocResult } from './types.js';

export function readInfo(r: Reader): CscInfo {
  const formats = r.obj('signature_formats');
  const letters = formats.strs('formats');
  const envelopes = formats.has('envelope_properties') ? readEnvelopes(formats, letters.length) : [];
  const oauth2 = r.optStr('oauth2');
  return {
    specs: r.str('specs'),
    name: r.str('name'),
    region: r.str('region'),
    lang: r.str('lang'),
    description: r.str('description'),
    authType: r.strs('authType'),
    ...(oauth2 ? { oauth2 } : {}),
    methods: r.strs('methods'),
    signAlgorithms: r.obj('signAlgorithms').strs('algos'),
    signatureFormats: Object.fromEntries(letters.map((f, i) => [f, envelopes[i] ?? []])),
    conformanceLevels: r.strs('conformance_levels'),
  };
}

/** `envelope_properties` is an array of string arrays, one per format (§3.1). */
function readEnvelopes(formats: Reader, n: number): string[][] {
  const raw = formats.raw('envelope_properties');
  if (!Array.isArray(raw) || raw.length !== n) return formats.strs('envelope_properties').map((e) => [e]);
  return raw.map((e) => (Array.isArray(e) ? e.filter((s): s is string => typeof s === 'string') : []));
}

/** The fields v1 and v2 share (§4.2, §7): everything but the description of the factors. */
export function readCredentialCore(r: Reader): Omit<CredentialInfo, 'auth'> {
  const key = r.obj('key');
  const cert = r.optObj('cert');
  const curve = key.optStr('curve');
  const description = r.optStr('description');
  const scal = r.optStr('SCAL');
  const status = cert?.optStr('status');
  const subjectDN = cert?.optStr('subjectDN');
  const issuerDN = cert?.optStr('issuerDN');
  const serialNumber = cert?.optStr('serialNumber');
  return {
    ...(description !== undefined ? { description } : {}),
    key: { status: key.str('status'), algo: key.strs('algo'), len: key.num('len'), ...(curve ? { curve } : {}) },
    cert: {
      certificates: cert?.has('certificates') ? cert.binaries('certificates') : [],
      ...(status ? { status } : {}),
      ...(subjectDN ? { subjectDN } : {}),
      ...(issuerDN ? { issuerDN } : {}),
      ...(serialNumber ? { serialNumber } : {}),
    },
    ...(scal ? { scal } : {}),
    multisign: r.num('multisign'),
  };
}

export function readCredentialInfo(r: Reader): CredentialInfo {
  const auth = r.obj('auth');
  const expression = auth.optStr('expression');
  return {
    ...readCredentialCore(r),
    auth: {
      mode: auth.str('mode'),
      ...(expression ? { expression } : {}),
      objects: auth.has('objects')
        ? auth.objs('objects').map((o) => {
            const format = o.optStr('format');
            const label = o.optStr('label');
            return {
              type: o.str('type'),
              id: o.str('id'),
              ...(format ? { format } : {}),
              ...(label ? { label } : {}),
            };
          })
        : [],
    },
  };
}

export function readSignDoc(r: Reader): SignDocResult {
  const info = r.optObj('validationInfo');
  const list = (x: Reader, f: string) => (x.has(f) ? x.binaries(f) : []);
  return {
    documentWithSignature: list(r, 'DocumentWithSignature'),
    signatureObject: list(r, 'SignatureObject'),
    ...(info
      ? {
          validationInfo: {
            ocsp: list(info, 'ocsp'),
            crl: list(info, 'crl'),
            certificates: list(info, 'certificates'),
          },
        }
      : {}),
  };
}
