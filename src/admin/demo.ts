/**
 * The demo signer (`npm start` on first start, `shomei demo`): a user enrolled through the real
 * enrolment-code flow, with three credentials (RSA-2048, RSA-3072 for RSASSA-PSS, ECDSA P-256),
 * so a newcomer, a script or a test can sign at once. Each call sets a new password and PIN: they
 * are printed, never stored in clear.
 */
import type { App } from '../app.js';
import { checkPin } from '../users/index.js';
import { createSigningCredential, credentialAdminDeps } from './credentials.js';

export const DEMO_USERNAME = 'demo';
const META = 'demo.credentials';

export interface DemoCredentials {
  readonly rsa2048: string;
  readonly rsaPss: string;
  readonly p256: string;
}

export interface DemoInfo {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly pin: string;
  readonly credentials: DemoCredentials;
}

function randomPin(app: App): string {
  for (;;) {
    const pin = Array.from(app.platform.random.bytes(6), (b) => String(b % 10)).join('');
    try {
      checkPin(pin);
      return pin;
    } catch {
      // a repeated digit or a run; draw again
    }
  }
}

async function createDemo(app: App, actor: string): Promise<DemoCredentials> {
  const user = await app.users.register(
    {
      username: DEMO_USERNAME,
      displayName: 'Demo Signer',
      proofing: { method: 'demo', officer: actor, documentRef: 'none: demonstration account, not identity-proofed' },
    },
    actor,
  );
  const deps = credentialAdminDeps(app);
  const make = (keyType: string, description: string) =>
    createSigningCredential(
      deps,
      { userId: user.id, keyType, description, multisign: 100, subjectDn: 'CN=Demo Signer,O=shomei demo,C=JP' },
      actor,
    ).then((c) => c.id);
  const creds = {
    rsa2048: await make('RSA-2048', 'Demo RSA-2048 (PKCS#1 v1.5)'),
    rsaPss: await make('RSA-3072', 'Demo RSA-3072 (RSASSA-PSS)'),
    p256: await make('EC-P256', 'Demo ECDSA P-256'),
  };
  await app.store.db
    .insertInto('meta')
    .values({ key: META, value: JSON.stringify(creds) })
    .execute();
  return creds;
}

export async function demoExists(app: App): Promise<boolean> {
  return (await app.store.db.selectFrom('meta').select('key').where('key', '=', META).executeTakeFirst()) !== undefined;
}

export async function ensureDemo(app: App, actor: string): Promise<DemoInfo> {
  await app.ca.ensure();
  const row = await app.store.db.selectFrom('meta').select('value').where('key', '=', META).executeTakeFirst();
  const credentials = row ? (JSON.parse(row.value) as DemoCredentials) : await createDemo(app, actor);
  const user = await app.users.findByUsername(DEMO_USERNAME);
  if (!user) throw new Error('the demo user is missing although its credentials are recorded');
  const password = app.platform.random.bytes(12).toString('base64url');
  const pin = randomPin(app);
  const { code } = await app.users.issueEnrolmentCode(user.id, actor);
  await app.users.redeemEnrolmentCode(code, { pin, password });
  return { url: app.baseUrl, username: DEMO_USERNAME, password, pin, credentials };
}
