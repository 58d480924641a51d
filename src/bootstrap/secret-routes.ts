import { ADMIN_CODE_LOGIN_PATH, ADMIN_LOGIN_PATH } from '../admin/http/index.js';
import { CSC_BASE_PATH } from '../csc/index.js';
import { CSC_V1_BASE_PATH } from '../csc/v1/index.js';

/** AUTH-2: routes that check a secret (password, PIN, OTP, TOTP, client secret, code); failures count per address. */
export const SECRET_CHECKING_ROUTES: ReadonlySet<string> = new Set(
  [
    '/auth/login',
    '/auth/revoke',
    '/credentials/authorize',
    '/credentials/getChallenge',
    '/oauth2/token',
    '/oauth2/pushed_authorize',
    '/oauth2/revoke',
  ]
    .flatMap((r) => [`${CSC_BASE_PATH}${r}`, `${CSC_V1_BASE_PATH}${r}`])
    .concat(`${CSC_V1_BASE_PATH}/credentials/sendOTP`)
    .concat([
      '/rssp/login',
      '/rssp/approve',
      '/rssp/webauthn/login',
      '/rssp/webauthn/approve',
      '/rssp/register/options',
    ])
    .concat(['/enrol', '/keys/import', ADMIN_LOGIN_PATH, ADMIN_CODE_LOGIN_PATH]),
);
