/**
 * The one composition root (STYLE.md 2): `buildApp(config)` wires every capability and returns the
 * service; `listen` is separate (cli/serve). Nothing wires itself on import; tests build the app
 * in-process with their own clock, randomness and storage.
 */
import { createSigningCredential } from './admin/credentials.js';
import { registerAdminApi } from './admin/http/index.js';
import { createAuditLog, storeSource } from './audit/index.js';
import {
  configuredOtpSender,
  createAdminLogin,
  createLogin,
  createOtpFactor,
  createPinFactor,
  createSadService,
  createTokens,
  createTotpFactor,
  createWebAuthnFactor,
  loadFactorKey,
  revokeUserAccess,
} from './auth/index.js';
import { openKeyStore } from './bootstrap/keystore.js';
import { ensureLogKey } from './bootstrap/log-key.js';
import { serviceFetch, timestampSource, trustStore } from './bootstrap/pki.js';
import { SECRET_CHECKING_ROUTES } from './bootstrap/secret-routes.js';
import { sessionPort } from './bootstrap/session.js';
import { publicUrl, webauthnRelyingParty } from './bootstrap/urls.js';
import { caRoutes, createCrls, createLocalCa } from './ca/index.js';
import { createOcspResponder, ocspRoutes } from './ca/ocsp/index.js';
import { adminRequiredLevel, type Config, databaseUrl } from './config/index.js';
import { CSC_BASE_PATH, type CscDeps, registerCsc, serviceScoped } from './csc/index.js';
import { registerCscV1 } from './csc/v1/index.js';
import { createRevocationSource } from './formats/ltv/index.js';
import { ipLimit } from './http/ip-limit.js';
import { opsRoutes } from './http/ops.js';
import { createHttpServer } from './http/server.js';
import {
  createKeyring,
  createKeyService,
  createSoftwareKeyStore,
  hashByOid,
  loadKeyringState,
  SIGN_ALGORITHMS,
} from './keys/index.js';
import { createOAuth, registerOAuthRoutes } from './oauth/index.js';
import { systemPlatform } from './platform/index.js';
import { createAsyncSigning } from './signing/async/index.js';
import { createSigning } from './signing/index.js';
import { openStore } from './store/index.js';
import { createTsa, tsaRoutes } from './tsa/index.js';
import { createUsers } from './users/index.js';
import { revocationFetch } from './validation/ades/index.js';
import { validationRoutes } from './validation/routes.js';
import { VERSION } from './version.js';
import { enrolmentRoutes } from './web/enrolment.js';
import { keyImportRoutes } from './web/key-import.js';
import { rsspRoutes } from './web/rssp/index.js';
import { credentialsPort, documentsPort, keysPort, sadsPort } from './wiring.js';

/** How often CRLs are checked for renewal (each is renewed at half its validity). */
const CRL_REFRESH_MS = 10 * 60_000;

/** The HTTP Basic form of a name and password typed into the RSSP's login page. */
const basicAuthorization = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

export type { App, BuildOptions } from './app-types.js';

import type { App, BuildOptions } from './app-types.js';

export async function buildApp(config: Readonly<Config>, opts: BuildOptions = {}): Promise<App> {
  const platform = opts.platform ?? systemPlatform;
  const { clock, random } = platform;
  // Refused settings (the file sender in production) stop the start before anything is opened.
  const otpSender = configuredOtpSender(config);
  const store = await openStore({ url: databaseUrl(config) });
  // SIGN-5: keystore.kind picks a PKCS#11 token (bootstrap/keystore.ts) or this software store.
  const keystore = await openKeyStore(config, random, () => {
    // The KEK (and the next one, mid-rotation) from configuration, or files in the data dir that
    // the keyring follows, so a `shomei key rotate-kek` in another process needs no restart here.
    const keyring = createKeyring({
      state: loadKeyringState(config.dataDir, config.keystore, random),
      clock,
      ...(config.keystore.kek ? {} : { dataDir: config.dataDir }),
    });
    return createSoftwareKeyStore({
      keyring,
      random,
      ...(config.keystore.workers > 0 ? { poolSize: config.keystore.workers } : {}),
    });
  });
  // The log key is Ed25519 (C2SP signed notes); signing credentials obey SIGN-4 in admin/.
  const keys = createKeyService({ store, keystore, clock, random, policy: { allowEd25519: true } });
  const baseUrl = publicUrl(config);
  const logKey = await ensureLogKey({ store, keys, baseUrl, configuredOrigin: config.audit.origin });
  const audit = createAuditLog({
    store,
    clock,
    signer: logKey.signer,
    origin: logKey.origin,
    batchMaxEntries: config.audit.batchMaxEntries,
    batchMaxDelayMs: config.audit.batchMaxDelayMs,
    checkpointIntervalMs: config.audit.checkpointIntervalMs,
  });
  keys.attachAudit(audit);
  if (logKey.created) {
    await audit.append({
      type: 'log.key.create',
      actor: 'system',
      outcome: 'success',
      verifierKey: logKey.signer.verifierKey,
    });
  }
  const a = config.auth;
  const lockout = {
    maxFailures: a.maxFailures,
    lockoutBaseSeconds: a.lockoutBaseSeconds,
    lockoutMaxSeconds: a.lockoutMaxSeconds,
  };
  const users = createUsers({
    store,
    audit,
    clock,
    random,
    scryptLogN: a.scryptLogN,
    enrolmentCodeTtlSeconds: a.enrolmentCodeTtlSeconds,
    revokeUserAccess,
  });
  const tokens = createTokens({
    store,
    audit,
    clock,
    random,
    accessTokenTtlSeconds: a.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: a.refreshTokenTtlSeconds,
  });
  const rolesOf = async (userId: string) => (await users.get(userId)).roles;
  const login = createLogin({ store, audit, clock, random, tokens, scryptLogN: a.scryptLogN, ...lockout });
  const pin = createPinFactor({
    store,
    audit,
    clock,
    scryptLogN: a.scryptLogN,
    verifiedPinCacheSeconds: a.verifiedPinCacheSeconds,
    ...lockout,
  });
  const factorKey = loadFactorKey(a.factorKey, config.dataDir, random);
  const totp = createTotpFactor({ store, audit, clock, factorKey, issuer: config.service.name, ...lockout });
  const otp = createOtpFactor({
    store,
    audit,
    clock,
    random,
    factorKey,
    sender: otpSender,
    digits: a.otp.digits,
    ttlSeconds: a.otp.ttlSeconds,
    maxAttempts: a.otp.maxAttempts,
    ...lockout,
  });
  const sads = createSadService({ store, audit, clock, random, sadTtlSeconds: a.sadTtlSeconds });
  const oauth = createOAuth({
    store,
    audit,
    clock,
    random,
    tokens,
    scryptLogN: a.scryptLogN,
    tokenEndpoint: `${baseUrl}${CSC_BASE_PATH}/oauth2/token`,
    issueSad: (req) => sads.issueSad(req),
    credential: (id) => credentialsPort(users).get(id),
    hashLength: (oid) => hashByOid(oid).length,
    credentialManagement: config.csc.version22,
  });
  const ca = createLocalCa({ store, audit, keys, clock, random, publicUrl: baseUrl, policies: config.ca.policyOids });
  const tsa = createTsa({
    store,
    keys,
    ca,
    audit,
    clock,
    random,
    ...config.tsa,
    onError: (err, context) => http.log.error({ err }, context),
  });
  // One fetcher for OCSP, CRLs and CA certificates: this service's own answered in-process.
  const selfFetch = serviceFetch(baseUrl, (o) => http.inject(o));
  const signing = createSigning({
    credentials: credentialsPort(users),
    keys: keysPort(keys),
    sads: sadsPort(sads),
    activation: {
      verifyPin: (userId, p) => pin.verifyPin(userId, p),
      verifyTotp: (c) => totp.verifyTotp(c.userId, c.value, { credentialId: c.credentialId }),
      verifyOtp: (c) => otp.verifyOtp(c.userId, c.credentialId, c.value),
      sendOtp: (userId, credentialId) => otp.sendChallenge(userId, credentialId),
    },
    audit,
    clock,
    // B-T and up: the built-in TSA; B-LT: OCSP/CRLs through the certificates' AIA/CDP, this
    // service's own answered in-process.
    documents: documentsPort({
      timestamps: timestampSource(config, tsa, random),
      revocation: createRevocationSource({ fetch: selfFetch, clock }),
    }),
  });

  const http = await createHttpServer({
    config,
    version: VERSION,
    ...(opts.logger === false ? { logger: false } : {}),
  });
  // Before any route is registered, so its hooks apply to all of them.
  ipLimit(http, {
    clock,
    routes: SECRET_CHECKING_ROUTES,
    maxFailures: a.ipMaxFailures,
    windowSeconds: a.ipWindowSeconds,
    baseSeconds: a.lockoutBaseSeconds,
    maxSeconds: a.lockoutMaxSeconds,
  });
  const csc: CscDeps = {
    info: {
      name: config.service.name,
      description: config.service.description,
      region: config.service.region,
      lang: config.service.lang,
      logo: config.service.logo || `${baseUrl}/logo.png`,
      signAlgorithms: SIGN_ALGORITHMS.map((s) => s.oid),
      oauth2: `${baseUrl}${CSC_BASE_PATH}`,
    },
    session: sessionPort(login, tokens),
    signing,
    timestamps: tsa,
    signDocBodyLimit: config.http.signDocBodyLimitBytes,
    // operationMode "A": results kept encrypted under their handle until fetched or expired.
    async: createAsyncSigning({ store, clock, random, audit }),
    // CSC 2.2 credentials/create|delete through the CLI's own credential code (src/csc/v22).
    ...(config.csc.version22
      ? {
          v22: {
            lifecycle: {
              keys,
              ca,
              users,
              audit,
              allowEd25519: config.signing.allowEd25519,
              maxBatch: config.signing.maxBatch,
              clock,
              random,
            },
          },
        }
      : {}),
  };
  await registerCsc(http, csc);
  await registerCscV1(http, csc);
  await registerOAuthRoutes(http, oauth, CSC_BASE_PATH);
  enrolmentRoutes(http, {
    users,
    async firstCredential(userId) {
      if ((await users.listCredentials(userId)).length > 0) return undefined;
      const deps = { keys, ca, users, audit, allowEd25519: false, maxBatch: config.signing.maxBatch };
      const c = await createSigningCredential(deps, { userId, keyType: 'EC-P256' }, 'system:enrolment');
      const cert = await keys.certificate(c.keyId);
      return { credentialID: c.id, certificateSerial: cert?.serialNumber ?? '' };
    },
  });
  keyImportRoutes(http, {
    config,
    session: { authenticate: (t) => serviceScoped(csc.session, t) },
    platform,
    keys,
    ca,
    users,
    audit,
  });
  const crls = createCrls({ store, keys, clock, audit, ca, validityHours: config.ca.crlValidityHours });
  // CA-2: a revocation, hold or release is in the issuer's CRL at once.
  ca.onStatusChange((issuerId) => crls.statusChanged(issuerId));
  caRoutes(http, { ca, crls, serviceName: config.service.name, policies: config.ca.policyOids });
  const o = config.ca.ocsp;
  const ocsp = createOcspResponder({
    ca,
    keys,
    store,
    clock,
    validityMs: o.validityHours * 3_600_000,
    cacheEntries: o.cacheEntries,
    ...(o.responseDir ? { dir: o.responseDir } : {}),
    reconcileMs: o.reconcileSeconds * 1000,
    onError: (err, ctx) => http.log.error({ err }, ctx),
  });
  ca.onStatusChange((issuerId, serial) => ocsp.statusChanged(issuerId, serial));
  ocspRoutes(http, { responder: ocsp, clock, signingPerSecond: o.signingPerSecond, signingBurst: o.signingBurst });
  tsaRoutes(http, { tsa });
  // TRUST-1: configured anchors, this service's root and trusted lists (their signatures checked),
  // reloaded every 10 minutes.
  const trust = trustStore(config, { ca, clock, onError: (err) => http.log.error({ err }, 'trust anchors reload') });
  // VERIFY: AdES validation reports against the trust anchors; status a signature lacks is fetched.
  validationRoutes(http, {
    anchors: () => trust.anchors(),
    clock,
    fetch: revocationFetch(selfFetch),
    serviceName: config.service.name,
  });
  ca.onStatusChange((_issuerId, serial) => tsa.statusChanged(serial));
  const rp = webauthnRelyingParty(config);
  const webauthn = createWebAuthnFactor({
    store,
    audit,
    clock,
    rpId: rp.rpId,
    rpName: config.service.name,
    origins: rp.origins,
  });
  rsspRoutes(http, {
    store,
    audit,
    clock,
    random,
    oauth,
    users,
    signing,
    webauthn,
    totp,
    serviceName: config.service.name,
    origin: new URL(baseUrl).origin,
    cscBasePath: CSC_BASE_PATH,
    verifyPassword: (username, password, clientId) =>
      login.verifyPassword(basicAuthorization(username, password), { event: 'auth.login', clientId }),
    credential: (id) => credentialsPort(users).get(id),
    rolesOf,
    certificateSubject: async (keyId) => (await keys.certificate(keyId))?.subjectDn,
    hashName: (oid) => hashByOid(oid).name,
  });
  await registerAdminApi(http, {
    login: createAdminLogin({
      login,
      totp,
      rolesOf,
      tokens,
      audit,
      requiredLevel: adminRequiredLevel(config),
      tokenTtlSeconds: config.admin.tokenTtlSeconds,
      random,
      redeemAdminCode: (req) => oauth.redeemAdminCode(req),
    }),
    tokens,
    rolesOf,
    users,
    ca,
    audit,
    logSource: storeSource(store),
    verifierKey: logKey.signer.verifierKey,
    enrolUrl: `${baseUrl}/enrol`,
    requiredLevel: adminRequiredLevel(config),
  });
  opsRoutes(http, { audit, store, verifierKey: logKey.signer.verifierKey });
  let crlTimer: NodeJS.Timeout | undefined;

  return {
    config,
    platform,
    store,
    keys,
    ca,
    crls,
    ocsp,
    tsa,
    trust,
    users,
    audit,
    signing,
    oauth,
    factors: { totp, otp },
    http,
    logVerifierKey: logKey.signer.verifierKey,
    baseUrl,
    start() {
      audit.start();
      // CA-2: CRLs are re-issued once half their validity has passed, whether or not anything changed.
      crlTimer ??= setInterval(() => {
        crls.refreshAll().catch((e) => http.log.error({ err: e }, 'CRL refresh failed'));
      }, CRL_REFRESH_MS);
      crlTimer.unref();
    },
    async close() {
      if (crlTimer) clearInterval(crlTimer);
      await http.close();
      await audit.stop();
      await keystore.close();
      otpSender?.close?.();
      await store.close();
    },
  };
}
