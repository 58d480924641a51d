/**
 * CSC API 2.2.0.0 additions behind `csc.version22` (csc-api-v2.md §0, §4.7, §8): credentials/create
 * and credentials/delete (OAuth only), and signDoc's regrouped input. With the switch off none of
 * this is routed (404) and `info.specs` stays 2.0.0.2.
 */
import type { HttpApp } from '../../http/server.js';
import { type CredentialManagementDeps, credentialManagementRoutes } from './create-delete.js';

export {
  CREDENTIAL_MANAGEMENT,
  type CredentialManagementDeps,
  type SubjectData,
  subjectMatches,
} from './create-delete.js';
export { flattenSignDoc, SignDocRequest22, type TSignDocRequest22 } from './sign-doc.js';

export const CSC_VERSION_22 = '2.2.0.0';
export const V22_METHODS = ['credentials/create', 'credentials/delete'] as const;

export function registerCscV22(app: HttpApp, deps: CredentialManagementDeps): void {
  credentialManagementRoutes(app, deps);
}
