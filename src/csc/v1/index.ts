/**
 * The CSC API 1.0.4.0 surface under `/csc/v1` (csc-api-v2.md §0, §7), for v1 clients such as
 * pyHanko. A thin second route layer over the same domain as `/csc/v2`: v1 field names in, the
 * same deps.signing / deps.session calls, v1 fields and error wording out. No behaviour of its own.
 */
import type { HttpApp } from '../../http/server.js';
import type { CscDeps } from '../deps.js';
import { postOnly } from '../post-only.js';
import { credentialRoutesV1 } from './routes-credentials.js';
import { METHODS_V1, serviceRoutesV1 } from './routes-service.js';
import { signatureRoutesV1 } from './routes-signatures.js';

export { CSC_V1_VERSION, METHODS_V1 } from './routes-service.js';

export const CSC_V1_BASE_PATH = '/csc/v1';

export async function registerCscV1(app: HttpApp, deps: CscDeps): Promise<void> {
  await app.register(
    async (scope) => {
      const s = scope as unknown as HttpApp;
      serviceRoutesV1(s, deps);
      credentialRoutesV1(s, deps);
      signatureRoutesV1(s, deps);
      postOnly(s, [...METHODS_V1, 'credentials/extendTransaction']);
    },
    { prefix: CSC_V1_BASE_PATH },
  );
}
