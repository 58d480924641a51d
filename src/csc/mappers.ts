/** Domain values → CSC v2 response fields (csc-api-v2.md §4.2). Only routes see CSC field names. */
import type { CredentialView } from '../signing/index.js';
import { authDescription } from '../signing/index.js';
import type { TCredentialInfo } from './schemas.js';

/** CSC `validFrom`/`validTo`: `YYYYMMDDHHMMSSZ` (GeneralizedTime, UTC). */
export function cscTime(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export interface InfoSelectors {
  readonly certificates?: 'none' | 'single' | 'chain';
  readonly certInfo?: boolean;
  readonly authInfo?: boolean;
}

const CERT_STATUS: Record<string, string> = {
  valid: 'valid',
  expired: 'expired',
  revoked: 'revoked',
  suspended: 'suspended',
};

/** CSC `cert` (same fields in 1.0.4.0 and 2.0.0.2), per the `certificates`/`certInfo` selectors. */
export function certFields(view: CredentialView, sel: InfoSelectors): TCredentialInfo['cert'] {
  const c = view.certificate;
  if (!c) return {};
  const which = sel.certificates ?? 'single';
  const status = CERT_STATUS[view.certificateState];
  return {
    ...(status ? { status } : {}),
    ...(which === 'none' ? {} : { certificates: (which === 'chain' ? c.chain : c.chain.slice(0, 1)).map(b64) }),
    ...(sel.certInfo
      ? {
          issuerDN: c.issuerDN,
          serialNumber: c.serialNumber,
          subjectDN: c.subjectDN,
          validFrom: cscTime(c.notBefore),
          validTo: cscTime(c.notAfter),
        }
      : {}),
  };
}

/** `key` of credentials/info, the same in v1 and v2. */
export function keyFields(view: CredentialView) {
  const { credential, key } = view;
  return {
    status: credential.status === 'enabled' && key.active ? ('enabled' as const) : ('disabled' as const),
    algo: [...key.algoOids],
    len: key.bits,
    ...(key.curveOid ? { curve: key.curveOid } : {}),
  };
}

export function credentialInfo(view: CredentialView, sel: InfoSelectors, lang: string): TCredentialInfo {
  const { credential } = view;
  return {
    description: credential.description,
    key: keyFields(view),
    cert: certFields(view, sel),
    // AUTH-4: exactly what activation requires: the factors credentials/authorize checks
    // ("PIN AND TOTP"), or oauth2code when the policy allows only the RSSP's page (level 4).
    auth: !credential.authModes.includes('explicit')
      ? { mode: 'oauth2code' }
      : sel.authInfo === false
        ? { mode: 'explicit' }
        : authObjects(credential.factors),
    SCAL: credential.scal,
    multisign: credential.multisign,
    lang,
  };
}

const b64 = (b: Buffer) => b.toString('base64');

function authObjects(factors: readonly string[]): TCredentialInfo['auth'] {
  const d = authDescription(factors);
  return { mode: d.mode, expression: d.expression, objects: d.objects.map((o) => ({ ...o })) };
}
