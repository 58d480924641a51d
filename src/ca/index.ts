/** The built-in CA (KEY-3). For now a minimal local root that issues signing certificates. */
export { type CaRoot, createLocalCa, type IssueRequest, type LocalCa, type LocalCaOptions } from './local-ca.js';
export { caRoutes } from './routes.js';
