/** Administrative workflows that span several functions (API-2; the CLI calls these). */
export {
  type CredentialAdminDeps,
  createSigningCredential,
  credentialAdminDeps,
  type NewSigningCredential,
  setSealOperator,
} from './credentials.js';
export { DEMO_USERNAME, type DemoCredentials, type DemoInfo, demoExists, ensureDemo } from './demo.js';
export {
  ensureTransportKey,
  importUserKey,
  type KeyImport,
  type KeyTransferImport,
  type LifecycleDeps,
  lifecycleDeps,
  type Rekeyed,
  rekeyCredential,
  releaseCredential,
  renewCredential,
  revokeCredential,
  type TransportKey,
  transferKey,
} from './lifecycle.js';
