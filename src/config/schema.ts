import { type Static, Type as T } from 'typebox';

/** The one typed configuration (STYLE.md 9). Defaults make `npm start` work with no file at all. */
export const ConfigSchema = T.Object(
  {
    mode: T.Union([T.Literal('development'), T.Literal('production')], { default: 'development' }),
    dataDir: T.String({ default: './data' }),
    /** `postgres://…` for PostgreSQL; empty means the SQLite file `<dataDir>/shomei.db`. */
    databaseUrl: T.String({ default: '' }),
    http: T.Object(
      {
        host: T.String({ default: '127.0.0.1' }),
        port: T.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
        /** Public base URL (for links in certificates and the info document). Derived if empty. */
        publicUrl: T.String({ default: '' }),
        tlsCert: T.String({ default: '' }),
        tlsKey: T.String({ default: '' }),
        bodyLimitBytes: T.Integer({ minimum: 1024, default: 1_048_576 }),
        /** signatures/signDoc carries whole documents in base64: its own, larger limit. */
        signDocBodyLimitBytes: T.Integer({ minimum: 1024, default: 64 * 1_048_576 }),
        /** Trust X-Forwarded-For etc. Only behind a proxy you run. */
        trustProxy: T.Boolean({ default: false }),
      },
      { default: {} },
    ),
    logLevel: T.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => T.Literal(l)),
      { default: 'info' },
    ),
    keystore: T.Object(
      {
        /** Base64 of a 32-byte key-encryption key; if empty, `<dataDir>/kek` (0600) is used or made. */
        kek: T.String({ default: '' }),
        /** Base64 of the next KEK while rotating a KEK from configuration (`shomei key rotate-kek`). */
        kekNext: T.String({ default: '' }),
        /** Signing worker threads (0 = one per core). */
        workers: T.Integer({ minimum: 0, maximum: 64, default: 0 }),
        /** `software` (keys wrapped under the KEK in DB-2) or `pkcs11` (keys in a token; SIGN-5). */
        kind: T.Union([T.Literal('software'), T.Literal('pkcs11')], { default: 'software' }),
        pkcs11: T.Object(
          {
            /**
             * The token as an RFC 7512 URI, instead of (or besides) the fields below, e.g.
             * `pkcs11:token=shomei?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin`.
             * `token`, `module-path`, and `pin-source` (a file) or `pin-value` are read from it.
             */
            uri: T.String({ default: '' }),
            /** Path of the PKCS#11 module (.so), e.g. /usr/lib/softhsm/libsofthsm2.so. */
            module: T.String({ default: '' }),
            /** CK_TOKEN_INFO.label of the token holding the keys. */
            tokenLabel: T.String({ default: '' }),
            /** User PIN; prefer SHOMEI_PKCS11_PIN to writing it in the JSON file. Never logged. */
            pin: T.String({ default: '' }),
            /**
             * Sessions per process, each signing on its own libuv thread. 2 by default: a child keeps
             * the token busy while its event loop or the IPC is (B1, BENCHMARKS.md); a network HSM,
             * where a signature waits on the device, may want more.
             */
            sessions: T.Integer({ minimum: 1, maximum: 64, default: 2 }),
            /**
             * Signing child processes, each with its own PKCS#11 context (0 = sign in this process).
             * 2 by default (one per core of the reference machine): two children beat every
             * in-process layout in B1, and a module that crashes takes one child down, not the service.
             */
            processes: T.Integer({ minimum: 0, maximum: 64, default: 2 }),
          },
          { default: {} },
        ),
      },
      { default: {} },
    ),
    auth: T.Object(
      {
        accessTokenTtlSeconds: T.Integer({ minimum: 30, maximum: 86400, default: 3600 }),
        refreshTokenTtlSeconds: T.Integer({ minimum: 60, maximum: 30 * 86400, default: 86400 }),
        sadTtlSeconds: T.Integer({ minimum: 10, maximum: 3600, default: 300 }),
        /** Failed attempts before a lockout; each further failure doubles the lock. */
        maxFailures: T.Integer({ minimum: 1, maximum: 100, default: 5 }),
        lockoutBaseSeconds: T.Integer({ minimum: 1, maximum: 86400, default: 30 }),
        lockoutMaxSeconds: T.Integer({ minimum: 1, maximum: 30 * 86400, default: 3600 }),
        /** AUTH-2: failed attempts from one address within ipWindowSeconds before it is locked out (0 = off). */
        ipMaxFailures: T.Integer({ minimum: 0, maximum: 100_000, default: 50 }),
        ipWindowSeconds: T.Integer({ minimum: 1, maximum: 86400, default: 300 }),
        enrolmentCodeTtlSeconds: T.Integer({ minimum: 60, maximum: 30 * 86400, default: 7 * 86400 }),
        /** A PIN that verified is recognised for this long without scrypt (in memory only; 0 = off). */
        verifiedPinCacheSeconds: T.Integer({ minimum: 0, maximum: 3600, default: 300 }),
        /** scrypt cost parameter N (2^n). 2^15 ≈ 32 MiB per verification. */
        scryptLogN: T.Integer({ minimum: 10, maximum: 20, default: 15 }),
        /**
         * Base64 of 32 bytes sealing TOTP secrets and keying OTP hashes (auth/factors/factor-key.ts);
         * if empty, `<dataDir>/factor-key` (0600) is used or made. Instances sharing a database share it.
         */
        factorKey: T.String({ default: '' }),
        /** WebAuthn (AUTH-4 level 4) on the RSSP's pages. */
        webauthn: T.Object(
          {
            /** Relying-party id: a registrable domain of the public URL's host; '' = that host. */
            rpId: T.String({ default: '' }),
            /** Extra origins allowed besides the public URL's (e.g. behind a second hostname). */
            extraOrigins: T.Array(T.String({ maxLength: 2048 }), { default: [], maxItems: 16 }),
          },
          { default: {} },
        ),
        /** Out-of-band OTP (credentials/getChallenge; AUTH-4). */
        otp: T.Object(
          {
            /** `file` (development only: `<dataDir>/otp-outbox.log`, 0600), `smtp`, or `none`. '' = file in development, none in production. */
            sender: T.Union([T.Literal(''), T.Literal('file'), T.Literal('smtp'), T.Literal('none')], { default: '' }),
            digits: T.Integer({ minimum: 6, maximum: 8, default: 6 }),
            ttlSeconds: T.Integer({ minimum: 30, maximum: 900, default: 300 }),
            /** Wrong codes one challenge tolerates before it is void (each also counts towards the lockout). */
            maxAttempts: T.Integer({ minimum: 1, maximum: 10, default: 3 }),
            smtp: T.Object(
              {
                host: T.String({ default: '' }),
                port: T.Integer({ minimum: 1, maximum: 65535, default: 587 }),
                /** Implicit TLS (465); otherwise STARTTLS is required unless the host is loopback. */
                secure: T.Boolean({ default: false }),
                user: T.String({ default: '' }),
                /** Prefer SHOMEI_AUTH__OTP__SMTP__PASSWORD; never logged. */
                password: T.String({ default: '' }),
                from: T.String({ default: 'shomei <noreply@localhost>' }),
              },
              { default: {} },
            ),
          },
          { default: {} },
        ),
      },
      { default: {} },
    ),
    audit: T.Object(
      {
        /** Log origin line of checkpoints (C2SP tlog-checkpoint). Derived from the host if empty. */
        origin: T.String({ default: '' }),
        batchMaxEntries: T.Integer({ minimum: 1, maximum: 10000, default: 512 }),
        batchMaxDelayMs: T.Integer({ minimum: 0, maximum: 1000, default: 0 }),
        checkpointIntervalMs: T.Integer({ minimum: 100, maximum: 3_600_000, default: 1000 }),
      },
      { default: {} },
    ),
    /** The admin API (API-2). */
    admin: T.Object(
      {
        /**
         * AUTH-4 level an admin token must carry: 3 (password + TOTP, `POST /admin/v1/login`) or 4
         * (a security key on the RSSP page). Unset means 3, with a warning in production mode.
         */
        requiredLevel: T.Optional(T.Union([T.Literal(3), T.Literal(4)])),
        /** Admin tokens are short-lived and never refreshed. */
        tokenTtlSeconds: T.Integer({ minimum: 60, maximum: 3600, default: 900 }),
      },
      { default: {} },
    ),
    service: T.Object(
      {
        name: T.String({ default: 'shomei remote signing service', maxLength: 255 }),
        description: T.String({ default: 'Self-hosted remote signing service (CSC API v2)', maxLength: 255 }),
        region: T.String({ default: 'JP', pattern: '^[A-Z]{2}$' }),
        lang: T.String({ default: 'en' }),
        logo: T.String({ default: '' }),
      },
      { default: {} },
    ),
    signing: T.Object(
      {
        /** Upper bound for any credential's multisign (numSignatures per authorisation). */
        maxBatch: T.Integer({ minimum: 1, maximum: 10000, default: 1000 }),
        /** Allow Ed25519 keys (not on the CRYPTREC list; SIGN-4). */
        allowEd25519: T.Boolean({ default: false }),
      },
      { default: {} },
    ),
    csc: T.Object(
      {
        /**
         * CSC API 2.2.0.0 additions (credentials/create, credentials/delete, regrouped signDoc input).
         * Off by default: 2.2 is only partly confirmed (csc-api-v2.md §0), and info.specs says 2.2.0.0 only with it on.
         */
        version22: T.Boolean({ default: false }),
      },
      { default: {} },
    ),
    /** The built-in CA (CA-1..CA-3). */
    ca: T.Object(
      {
        /** Certificate policy OIDs named in issued certificates; the default is the example arc 2.999. */
        policyOids: T.Array(T.String({ pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$', maxLength: 128 }), {
          default: ['2.999.1.1'],
          minItems: 1,
          maxItems: 8,
        }),
        /** How long a CRL is valid; a new one is issued when half of it has passed, and after every revocation. */
        crlValidityHours: T.Integer({ minimum: 1, maximum: 24 * 14, default: 24 }),
        /** The OCSP responder (CA-2, RFC 6960 / RFC 5019). */
        ocsp: T.Object(
          {
            /** nextUpdate − thisUpdate of each response; re-signed when half of it has passed. */
            validityHours: T.Integer({ minimum: 1, maximum: 24 * 7, default: 24 }),
            /** Responses kept in memory (about 1 KB each). */
            cacheEntries: T.Integer({ minimum: 0, maximum: 10_000_000, default: 50_000 }),
            /** Also write each response to <dir>/<issuerKeyHash>/<serial>.der for a CDN origin ('' = off). */
            responseDir: T.String({ default: '' }),
            /** How often revocations made by other processes are looked for. */
            reconcileSeconds: T.Integer({ minimum: 1, maximum: 3600, default: 30 }),
            /**
             * Answers signed on demand (not kept already: unknown serials, first questions) per
             * client address and second; past it and the burst, tryLater. 0 = no limit.
             */
            signingPerSecond: T.Integer({ minimum: 0, maximum: 1_000_000, default: 50 }),
            signingBurst: T.Integer({ minimum: 1, maximum: 1_000_000, default: 500 }),
          },
          { default: {} },
        ),
        /** External-CA mode: files (PEM or DER) of the CAs whose certificates `key import-cert` accepts. */
        externalAnchors: T.Array(T.String({ minLength: 1, maxLength: 4096 }), { default: [], maxItems: 32 }),
      },
      { default: {} },
    ),
    /** The built-in RFC 3161 time-stamping authority (TSA-1). */
    tsa: T.Object(
      {
        /** TSTInfo.policy: the TSA policy tokens are issued under (requests may name only this one). */
        policyOid: T.String({ pattern: '^[0-2](\\.(0|[1-9][0-9]*))+$', maxLength: 128, default: '2.999.1.2' }),
        /** TSTInfo.accuracy in milliseconds; under 1000, genTime carries a fraction of a second. */
        accuracyMs: T.Integer({ minimum: 1, maximum: 60_000, default: 1000 }),
        /** Subject of the time-stamping unit's certificate. */
        subjectDn: T.String({ default: 'CN=shomei TSA', maxLength: 255 }),
        /**
         * TSA-1: time-stamp signatures (signDoc B-T and up) with another TSA at this URL (RFC 3161
         * over HTTP) instead of the built-in one; `/tsa` and signatures/timestamp stay built-in.
         */
        externalUrl: T.String({ default: '', maxLength: 2048 }),
        /** PEM/DER files of the anchors the external TSA's certificate must chain to. */
        externalAnchors: T.Array(T.String({ maxLength: 4096 }), { default: [] }),
      },
      { default: {} },
    ),
    /** Trust anchors for validation (TRUST-1): certificate files and ETSI TS 119 612 trust lists. */
    trust: T.Object(
      {
        /** PEM (or DER) files of trusted root certificates. */
        anchors: T.Array(T.String({ minLength: 1, maxLength: 4096 }), { default: [], maxItems: 64 }),
        /** Also trust this service's own CA root (the default: signatures it made validate). */
        includeServiceRoot: T.Boolean({ default: true }),
        /** ETSI TS 119 612 trust lists: a file path or https URL, and the certificates allowed to sign it. */
        trustLists: T.Array(
          T.Object(
            {
              source: T.String({ minLength: 1, maxLength: 4096 }),
              /** PEM files of the list operator's signing certificates (TS 119 612 §5.3.4 / the LOTL pointer). */
              signerCertificates: T.Array(T.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 16 }),
            },
            { additionalProperties: false },
          ),
          { default: [], maxItems: 64 },
        ),
        /** Largest trust list accepted, in bytes (parsed on the event loop). */
        maxTrustListBytes: T.Integer({ minimum: 1024, maximum: 64 * 1_048_576, default: 16 * 1_048_576 }),
      },
      { default: {} },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
