/** What the key-lifecycle workflows (KEY-2) need: the credential administration's parts, clock and randomness. */
import type { App } from '../app.js';
import type { Clock, Random } from '../platform/index.js';
import { type CredentialAdminDeps, credentialAdminDeps } from './credentials.js';

export interface LifecycleDeps extends CredentialAdminDeps {
  readonly clock: Clock;
  readonly random: Random;
}

export function lifecycleDeps(app: App): LifecycleDeps {
  return { ...credentialAdminDeps(app), clock: app.platform.clock, random: app.platform.random };
}
