/**
 * Trust anchors (TRUST-1): configured certificates, this service's own root, and ETSI TS 119 612
 * trusted lists (signature and NextUpdate checked), each anchor keeping where it came from and,
 * for a trusted-list service, its type and status history.
 */
export {
  certificatesOf,
  loadTrustAnchors,
  loadTrustList,
  type TrustAnchors,
  type TrustConfig,
  type TrustDeps,
  type TrustListInput,
} from './anchors.js';
export {
  type AnchorOrigin,
  qualifiedAt,
  SERVICE_TYPE_PREFIX,
  type StatusPeriod,
  serviceStatusAt,
  statusName,
  type TrustAnchor,
  type TrustList,
  type TrustService,
} from './model.js';
export { createTrustStore, type TrustStore } from './store.js';
export { TSL_NS } from './tsl-parse.js';
