/** `shomei credential …`: signing credentials = key + certificate + DB-1 mapping (KEY-3). */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  createSigningCredential,
  credentialAdminDeps,
  ensureTransportKey,
  importUserKey,
  lifecycleDeps,
  rekeyCredential,
  releaseCredential,
  renewCredential,
  revokeCredential,
  setSealOperator,
  transferKey,
} from '../../admin/index.js';
import type { App } from '../../app.js';
import { ShomeiError } from '../../errors.js';
import {
  encodeTransfer,
  parseTransfer,
  REVOCATION_REASONS,
  type RevocationReason,
  readPkcs12,
  transportKeyId,
  wrapForTransport,
} from '../../keys/index.js';
import { type AuthMode, type Credential, checkPolicy } from '../../users/index.js';
import { cliActor, emit, globals, withApp } from '../context.js';

/** PEM blocks with this label, or the file itself as DER. */
function readDer(file: string, label: string): Buffer[] {
  const raw = readFileSync(file);
  const text = raw.toString('latin1');
  if (!text.includes(`-----BEGIN ${label}-----`)) return [raw];
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}

const userOf = async (app: App, name: string) => (await app.users.findByUsername(name)) ?? (await app.users.get(name));

const credentialOptions = (o: Record<string, string | undefined>) => ({
  scal: o.scal === '2' ? ('2' as const) : ('1' as const),
  multisign: Number(o.multisign ?? '1'),
  ...(o.description ? { description: o.description } : {}),
});

/** KEY-2: PKCS#12 (password from an environment variable, never the command line) or PKCS#8 + chain. */
async function readImport(
  o: Record<string, string | undefined>,
): Promise<{ pkcs8: Buffer; chain: Buffer[]; source: 'pkcs8' | 'pkcs12' }> {
  if (o.pkcs12) {
    const variable = o.passwordEnv ?? 'SHOMEI_PKCS12_PASSWORD';
    const password = process.env[variable];
    if (password === undefined) throw new ShomeiError('missing_string', { name: `password (set ${variable})` });
    return { ...(await readPkcs12(readFileSync(o.pkcs12), password)), source: 'pkcs12' };
  }
  if (!o.pkcs8 || !o.cert) throw new ShomeiError('missing_string', { name: '--pkcs12, or --pkcs8 with --cert' });
  const [pkcs8] = readDer(o.pkcs8, 'PRIVATE KEY');
  if (!pkcs8) throw new ShomeiError('invalid_parameter', { name: 'pkcs8' });
  return { pkcs8, chain: readDer(o.cert, 'CERTIFICATE'), source: 'pkcs8' };
}

const pem = (der: Buffer, label: string) =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** KEY-2 transfer, both sides: the service's transport key for a CA, and the CA's wrapping step. */
function transferCommands(cred: Command): void {
  cred
    .command('transport-key')
    .description('the transport key a CA wraps transferred keys for (as GET /keys/transport)')
    .option('--out <file>', 'write the SPKI and the certificate (PEM) here')
    .action(async (o: { out?: string }, cmd: Command) => {
      const g = globals(cmd);
      const t = await withApp(g, (app) => ensureTransportKey(lifecycleDeps(app)));
      const text = `${pem(t.spki, 'PUBLIC KEY')}${pem(t.certificate, 'CERTIFICATE')}`;
      if (o.out) writeFileSync(o.out, text);
      const out = { keyId: t.keyId, transportKey: transportKeyId(t.spki), spki: t.spki.toString('base64') };
      emit(g, out, () => (o.out ? `wrote ${o.out} (transport key ${out.transportKey})` : text.trimEnd()));
    });
  cred
    .command('wrap')
    .description('CA side: wrap a PKCS#8 key for a transport key (shomei-key-transfer/1); needs no service')
    .requiredOption('--transport <file>', 'the transport key: PUBLIC KEY PEM (credential transport-key --out)')
    .requiredOption('--pkcs8 <file>', 'the private key, PKCS#8 DER or PEM (unencrypted)')
    .requiredOption('--out <file>', 'the transfer file to write')
    .option('--oaep-hash <hash>', 'SHA-256, or SHA-1 for a service whose token lacks OAEP-SHA-256', 'SHA-256')
    .action((o: { transport: string; pkcs8: string; out: string; oaepHash: string }) => {
      if (o.oaepHash !== 'SHA-256' && o.oaepHash !== 'SHA-1') {
        throw new ShomeiError('invalid_parameter', { name: 'oaep-hash' });
      }
      const oaepHash = o.oaepHash;
      const [spki] = readDer(o.transport, 'PUBLIC KEY');
      const [pkcs8] = readDer(o.pkcs8, 'PRIVATE KEY');
      if (!spki || !pkcs8) throw new ShomeiError('invalid_parameter', { name: spki ? 'pkcs8' : 'transport' });
      try {
        writeFileSync(o.out, encodeTransfer(wrapForTransport(spki, pkcs8, { oaepHash })), { mode: 0o600 });
      } finally {
        pkcs8.fill(0);
      }
      process.stdout.write(`wrote ${o.out}\n`);
    });
}

/** The credential settings every command that makes a credential takes. */
const withCredentialOptions = (c: Command): Command =>
  c
    .option('--scal <1|2>', 'SCAL2 binds SADs to hashes', '1')
    .option('--multisign <n>', 'maximum signatures per authorisation', '1')
    .option('--description <text>');

function lifecycleCommands(cred: Command): void {
  transferCommands(cred);
  withCredentialOptions(cred.command('import'))
    .description(
      "register a signer's own key (KEY-2): PKCS#12, or PKCS#8 with its certificate chain; proven before use",
    )
    .requiredOption('--user <user>', 'username or id')
    .option('--pkcs12 <file>', 'PKCS#12 (.p12/.pfx) with the key and its certificate chain')
    .option('--password-env <var>', 'environment variable holding the PKCS#12 password', 'SHOMEI_PKCS12_PASSWORD')
    .option('--pkcs8 <file>', 'private key, PKCS#8 DER or PEM (unencrypted)')
    .option('--cert <file>', 'certificate chain for --pkcs8, end-entity first (PEM or DER)')
    .requiredOption('--reason <text>', 'why; recorded in the log with who')
    .action(async (o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const c = await withApp(g, async (app) => {
        const user = await userOf(app, o.user as string);
        const material = await readImport(o);
        const req = { userId: user.id, ...material, ...credentialOptions(o) };
        return importUserKey(lifecycleDeps(app), req, { actor: cliActor(), reason: o.reason as string });
      });
      emit(g, c, () => line(c));
    });
  withCredentialOptions(cred.command('transfer'))
    .description("register a key a CA wrapped for this service's transport key (KEY-2, GET /keys/transport)")
    .requiredOption('--user <user>', 'username or id')
    .requiredOption('--wrapped <file>', 'shomei-key-transfer/1 JSON file (keys/transport.ts)')
    .requiredOption('--chain <file>', 'certificate chain for the key, end-entity first (PEM or DER)')
    .requiredOption('--reason <text>', 'why; recorded in the log with who')
    .action(async (o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const c = await withApp(g, async (app) => {
        const user = await userOf(app, o.user as string);
        const transfer = parseTransfer(readFileSync(o.wrapped as string, 'utf8'));
        const req = {
          userId: user.id,
          transfer,
          chain: readDer(o.chain as string, 'CERTIFICATE'),
          ...credentialOptions(o),
        };
        return transferKey(lifecycleDeps(app), req, { actor: cliActor(), reason: o.reason as string });
      });
      emit(g, c, () => line(c));
    });
  cred
    .command('renew <credentialID>')
    .description('a new certificate from the local CA for the same key (KEY-2)')
    .requiredOption('--reason <text>', 'why; recorded in the log with who')
    .option('--validity-days <n>', 'certificate validity', '365')
    .action(async (id: string, o: { reason: string; validityDays: string }, cmd: Command) => {
      const g = globals(cmd);
      const why = { actor: cliActor(), reason: o.reason };
      const cert = await withApp(g, (app) =>
        renewCredential(lifecycleDeps(app), id, { validityDays: Number(o.validityDays) }, why),
      );
      emit(
        g,
        { credentialID: id, serialNumber: cert.serialNumber, notAfter: new Date(cert.notAfter).toISOString() },
        () => `renewed ${id}: certificate ${cert.serialNumber} until ${new Date(cert.notAfter).toISOString()}`,
      );
    });
  cred
    .command('rekey <credentialID>')
    .description('a new key, CSR and certificate; the old key is retired and kept for the record (KEY-2)')
    .requiredOption('--reason <text>', 'why; recorded in the log with who')
    .option('--key-type <type>', 'new key type (default: as before)')
    .option('--validity-days <n>', 'certificate validity', '365')
    .action(async (id: string, o: { reason: string; keyType?: string; validityDays: string }, cmd: Command) => {
      const g = globals(cmd);
      const why = { actor: cliActor(), reason: o.reason };
      const opts = { validityDays: Number(o.validityDays), ...(o.keyType ? { keyType: o.keyType } : {}) };
      const r = await withApp(g, (app) => rekeyCredential(lifecycleDeps(app), id, opts, why));
      const out = {
        credentialID: id,
        keyId: r.credential.keyId,
        previousKeyId: r.previousKeyId,
        serialNumber: r.certificate.serialNumber,
      };
      emit(g, out, () => `re-keyed ${id}: key ${out.keyId} (was ${out.previousKeyId}, now retired)`);
    });
  cred
    .command('revoke <credentialID>')
    .description("revoke the credential's certificate (RFC 5280 reason); signing stops at once (KEY-2)")
    .requiredOption('--reason <code>', REVOCATION_REASONS.join(' | '))
    .option('--comment <text>', 'why, in words; recorded in the log with who')
    .option('--destroy-key', 'also zeroise the key (SIGN-2)')
    .action(async (id: string, o: { reason: string; comment?: string; destroyKey?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      if (!(REVOCATION_REASONS as readonly string[]).includes(o.reason)) {
        throw new ShomeiError('invalid_parameter', { name: 'reason' });
      }
      const why = { actor: cliActor(), reason: o.comment ?? o.reason };
      const cert = await withApp(g, (app) =>
        revokeCredential(lifecycleDeps(app), id, o.reason as RevocationReason, why, {
          destroyKey: o.destroyKey === true,
        }),
      );
      const status = o.reason === 'certificateHold' ? 'on hold' : 'revoked';
      emit(
        g,
        { credentialID: id, serialNumber: cert.serialNumber, status, reason: o.reason },
        () => `${status} ${id}: certificate ${cert.serialNumber} (${o.reason}); in the CRL and OCSP now`,
      );
    });
  cred
    .command('release <credentialID>')
    .description('end a certificateHold: the certificate is valid again and the credential signs (CA-2)')
    .option('--comment <text>', 'why, in words; recorded in the log with who')
    .action(async (id: string, o: { comment?: string }, cmd: Command) => {
      const g = globals(cmd);
      const why = { actor: cliActor(), reason: o.comment ?? 'hold released' };
      const cert = await withApp(g, (app) => releaseCredential(lifecycleDeps(app), id, why));
      emit(
        g,
        { credentialID: id, serialNumber: cert.serialNumber, status: 'valid' },
        () => `released ${id}: certificate ${cert.serialNumber} is valid again`,
      );
    });
}

const line = (c: Credential) =>
  `${c.id}  ${c.status.padEnd(9)} SCAL${c.scal} level ${c.level} multisign=${String(c.multisign).padEnd(5)} ${(c.level === 4 ? 'WebAuthn' : c.factors.join('+')).padEnd(8)} ${c.authModes.join(',').padEnd(19)} ${c.description}`;

/** --level and --auth-modes as a policy change (AUTH-4); users/ checks the combination. */
function policyOptions(o: Record<string, string>) {
  const level = o.level === undefined ? undefined : Number(o.level);
  const authModes = o.authModes?.split(',').map((m) => m.trim()) as AuthMode[] | undefined;
  const sadTtlSeconds = o.sadTtl === undefined ? undefined : o.sadTtl === 'default' ? null : Number(o.sadTtl);
  return {
    ...(level !== undefined ? { level } : {}),
    ...(authModes ? { authModes } : {}),
    ...(sadTtlSeconds !== undefined ? { sadTtlSeconds } : {}),
  };
}

export function credentialCommands(program: Command): void {
  const cred = program.command('credential').description('manage signing credentials');
  withCredentialOptions(cred.command('create'))
    .description('generate a key, certify it with the local CA and give it to a signer')
    .requiredOption('--user <user>', 'username or id')
    .option('--key-type <type>', 'RSA-2048 | RSA-3072 | RSA-4096 | EC-P256 | EC-P384 | EC-P521', 'EC-P256')
    .option('--subject <dn>', 'certificate subject (RFC 4514)')
    .option('--validity-days <n>', 'certificate validity', '365')
    .option('--factors <ids>', 'factors credentials/authorize requires (AUTH-4): PIN, PIN,TOTP or PIN,OTP', 'PIN')
    .option(
      '--profile <name>',
      "certificate profile: 'signing' (a person) or 'seal' (an organisation, SEAL-1)",
      'signing',
    )
    .option('--level <n>', 'required assurance level: 2 (PIN), 3 (PIN + TOTP/OTP), 4 (security key on the RSSP page)')
    .option('--auth-modes <modes>', 'explicit,oauth2code (level 4: oauth2code only)')
    .action(async (o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const c = await withApp(g, async (app) => {
        await app.ca.ensure();
        const user = (await app.users.findByUsername(o.user as string)) ?? (await app.users.get(o.user as string));
        const factors = (o.factors ?? 'PIN').split(',').map((f) => f.trim().toUpperCase());
        const policy = policyOptions(o);
        // Checked before the key is made, so a typo leaves no half-made credential behind.
        checkPolicy(factors, policy.level ?? (factors.some((f) => f !== 'PIN') ? 3 : 2), policy.authModes);
        const made = await createSigningCredential(
          credentialAdminDeps(app),
          {
            userId: user.id,
            keyType: o.keyType as string,
            scal: o.scal === '2' ? '2' : '1',
            multisign: Number(o.multisign),
            validityDays: Number(o.validityDays),
            ...(o.description ? { description: o.description } : {}),
            ...(o.subject ? { subjectDn: o.subject } : {}),
            profile: o.profile === 'seal' ? 'seal' : 'signing',
          },
          cliActor(),
        );
        if (factors.join(',') === 'PIN' && Object.keys(policy).length === 0) return made;
        return app.users.setCredentialPolicy(made.id, { factors, ...policy }, cliActor());
      });
      emit(g, c, () => line(c));
    });
  cred
    .command('list')
    .requiredOption('--user <user>', 'username or id')
    .action(async (o: { user: string }, cmd: Command) => {
      const g = globals(cmd);
      const list = await withApp(g, async (app) => {
        const user = (await app.users.findByUsername(o.user)) ?? (await app.users.get(o.user));
        return app.users.listCredentials(user.id);
      });
      emit(g, list, () => list.map(line).join('\n') || '(no credentials)');
    });
  cred
    .command('policy <credential>')
    .description('change what activates a credential (AUTH-4): factors, level, auth modes')
    .option('--factors <ids>', 'PIN, PIN,TOTP or PIN,OTP')
    .option('--level <n>', '2, 3 or 4')
    .option('--auth-modes <modes>', 'explicit,oauth2code')
    .option('--sad-ttl <seconds>', "PIN-caching window: a SAD's longest life (10-3600, or 'default')")
    .action(async (id: string, o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const factors = o.factors?.split(',').map((f) => f.trim().toUpperCase());
      const c = await withApp(g, (app) =>
        app.users.setCredentialPolicy(id, { ...(factors ? { factors } : {}), ...policyOptions(o) }, cliActor()),
      );
      emit(g, c, () => line(c));
    });
  for (const [verb, allowed] of [
    ['add', true],
    ['remove', false],
  ] as const) {
    cred
      .command(`operator-${verb} <credentialID> <user>`)
      .description(
        allowed
          ? "SEAL-1: let a user use an organisation's e-seal credential with their own authentication"
          : 'SEAL-1: take that back (at once)',
      )
      .action(async (id: string, ref: string, _o: unknown, cmd: Command) => {
        const g = globals(cmd);
        const c = await withApp(g, async (app) => {
          const user = (await app.users.findByUsername(ref)) ?? (await app.users.get(ref));
          return setSealOperator(credentialAdminDeps(app), id, user.id, allowed, cliActor());
        });
        emit(g, c, () => `${id}: operators ${c.operators.join(', ') || '(none)'}`);
      });
  }
  lifecycleCommands(cred);
  for (const status of ['enabled', 'disabled'] as const) {
    cred
      .command(`${status === 'enabled' ? 'enable' : 'disable'} <credentialID>`)
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const g = globals(cmd);
        const c = await withApp(g, (app) => app.users.setCredentialStatus(id, status, cliActor()));
        emit(g, c, () => line(c));
      });
  }
}
