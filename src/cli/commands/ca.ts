/** `shomei ca …` (CA-1..CA-3): the CA hierarchy, issuance from a CSR, revocation, CRLs, bulk issuance. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import {
  bulkIssue,
  certificatePem,
  DEFAULT_ROOT_CRL_DAYS,
  type EndEntityProfile,
  fingerprint,
  isCrlReason,
  isProfileName,
  rootCeremony,
  takeRootOffline,
} from '../../ca/index.js';
import { ShomeiError } from '../../errors.js';
import { cliActor, emit, globals, progress, withApp } from '../context.js';

const profileOf = (p: string): EndEntityProfile => {
  if (!isProfileName(p) || p === 'issuing-ca') throw new ShomeiError('invalid_parameter', { name: 'profile' });
  return p;
};

export function caCommands(program: Command): void {
  const ca = program.command('ca').description('the built-in certificate authority (CA-1..CA-3)');

  ca.command('list')
    .description('the CA certificates with their SHA-256 fingerprints')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const list = await withApp(g, async (app) =>
        (await app.ca.authorities()).map((a) => ({
          id: a.id,
          role: a.role,
          subject: a.subjectDn,
          sha256: fingerprint(a.certificate),
        })),
      );
      emit(g, list, () =>
        list.map((a) => `${a.id.padEnd(12)} ${a.role.padEnd(8)} ${a.subject}\n  SHA-256 ${a.sha256}`).join('\n'),
      );
    });

  ca.command('issue')
    .description('issue a certificate from a PKCS#10 request (proof of possession checked)')
    .requiredOption('--csr <file>', 'PEM or DER')
    .option('--profile <name>', 'signing | seal | tsa | ocsp | tls', 'seal')
    .option('--validity-days <n>', 'validity', '365')
    .option('--subject <dn>', "certified subject (RFC 4514); default: the CSR's")
    .option('--dns <names>', 'TLS: comma-separated DNS names')
    .option('--out <file>', 'write the certificate (DER) here')
    .action(async (o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const der = await withApp(g, (app) =>
        app.ca.issueFromCsr(
          {
            csr: readFileSync(o.csr as string),
            profile: profileOf(o.profile as string),
            validityDays: Number(o.validityDays),
            ...(o.subject ? { subjectDn: o.subject } : {}),
            ...(o.dns ? { dnsNames: o.dns.split(',').map((d) => d.trim()) } : {}),
          },
          cliActor(),
        ),
      );
      if (o.out) writeFileSync(o.out, der);
      emit(g, { certificate: der.toString('base64') }, () => (o.out ? `written to ${o.out}` : der.toString('base64')));
    });

  ca.command('revoke <issuer> <serial>')
    .description(
      'revoke (or --reason certificateHold) a certificate by issuer id and hex serial; in the CRL and OCSP at once',
    )
    .requiredOption('--reason <code>', 'RFC 5280 reason, e.g. keyCompromise, cessationOfOperation, certificateHold')
    .action(async (issuer: string, serial: string, o: { reason: string }, cmd: Command) => {
      const g = globals(cmd);
      if (!isCrlReason(o.reason)) throw new ShomeiError('invalid_parameter', { name: 'reason' });
      const reason = o.reason;
      const c = await withApp(g, (app) => app.ca.revoke(issuer, serial, reason, cliActor()));
      emit(g, { issuer, serial: c.serial, status: c.status }, () => `${c.serial}: ${c.status} (${o.reason})`);
    });

  ca.command('release <issuer> <serial>')
    .description('end a certificateHold')
    .action(async (issuer: string, serial: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const c = await withApp(g, (app) => app.ca.release(issuer, serial, cliActor()));
      emit(g, { issuer, serial: c.serial, status: c.status }, () => `${c.serial}: ${c.status}`);
    });

  ca.command('crl <issuer>')
    .description('issue a new CRL for the CA now')
    .option('--out <file>', 'write it (DER) here')
    .action(async (issuer: string, o: { out?: string }, cmd: Command) => {
      const g = globals(cmd);
      const crl = await withApp(g, (app) => app.crls.issue(issuer));
      if (o.out) writeFileSync(o.out, crl.der);
      emit(
        g,
        { issuer, number: crl.number, nextUpdate: new Date(crl.nextUpdate).toISOString() },
        () => `CRL ${crl.number} of ${issuer}, next update ${new Date(crl.nextUpdate).toISOString()}`,
      );
    });

  ca.command('tls-cert')
    .description("a TLS server certificate for this service's own endpoint (profile tls), key and chain as PEM files")
    .requiredOption('--dns <names>', 'comma-separated DNS names, the first is the subject CN')
    .requiredOption('--out-dir <dir>', 'writes tls-key.pem (0600) and tls-chain.pem here')
    .option('--validity-days <n>', 'validity (at most 398)', '90')
    .action(async (o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const dnsNames = (o.dns as string)
        .split(',')
        .map((d) => d.trim())
        .filter((d) => d !== '');
      if (dnsNames.length === 0) throw new ShomeiError('invalid_parameter', { name: 'dns' });
      // Node's TLS needs the key itself, so this key lives in a 0600 file, not in the key store.
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const spki = publicKey.export({ type: 'spki', format: 'der' });
      const chain = await withApp(g, async (app) => {
        const [ee] = await app.ca.issueMany(
          [{ spki, subjectDn: `CN=${dnsNames[0]}`, profile: 'tls', validityDays: Number(o.validityDays), dnsNames }],
          cliActor(),
        );
        const issuing = await app.ca.issuing();
        return [ee as Buffer, issuing.certificate];
      });
      const dir = o.outDir as string;
      mkdirSync(dir, { recursive: true });
      const keyFile = join(dir, 'tls-key.pem');
      const chainFile = join(dir, 'tls-chain.pem');
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      writeFileSync(chainFile, chain.map(certificatePem).join(''));
      emit(
        g,
        { keyFile, chainFile, dnsNames },
        () => `written ${chainFile} and ${keyFile}
configure: SHOMEI_TLS_CERT=${chainFile} SHOMEI_TLS_KEY=${keyFile}`,
      );
    });

  const passphraseOf = (envName: string): string => {
    const p = process.env[envName];
    if (!p) throw new ShomeiError('invalid_parameter', { name: `passphrase (set ${envName})` });
    return p;
  };
  const offlineDeps = (app: App) => ({ ...app, random: app.platform.random });

  ca.command('root-offline')
    .description(
      'CA-1: seal the root key under a passphrase into a file, sign a long root CRL, remove the key from the store',
    )
    .requiredOption('--out <file>', 'the sealed root key (keep it offline)')
    .option('--passphrase-env <var>', 'environment variable holding the passphrase', 'SHOMEI_ROOT_PASSPHRASE')
    .option(
      '--crl-days <n>',
      "the root CRL's validity: the next ceremony must come before it ends",
      String(DEFAULT_ROOT_CRL_DAYS),
    )
    .action(async (o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const passphrase = passphraseOf(o.passphraseEnv as string);
      const r = await withApp(g, (app) => takeRootOffline(offlineDeps(app), passphrase, Number(o.crlDays), cliActor()));
      writeFileSync(o.out as string, r.sealed, { mode: 0o600, flag: 'wx' });
      const next = new Date(r.crl.nextUpdate).toISOString();
      emit(
        g,
        { out: o.out, crlNumber: r.crl.number, nextUpdate: next },
        () => `root key sealed to ${o.out}; root CRL ${r.crl.number} valid until ${next}`,
      );
    });

  ca.command('ceremony')
    .description('CA-1: bring the offline root back for one job — sign a new root CRL — and remove it again')
    .requiredOption('--root-key <file>', 'the sealed root key from root-offline')
    .option('--passphrase-env <var>', 'environment variable holding the passphrase', 'SHOMEI_ROOT_PASSPHRASE')
    .option('--crl-days <n>', "the new root CRL's validity", String(DEFAULT_ROOT_CRL_DAYS))
    .action(async (o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const passphrase = passphraseOf(o.passphraseEnv as string);
      const sealed = readFileSync(o.rootKey as string, 'utf8');
      const crl = await withApp(g, (app) =>
        rootCeremony(offlineDeps(app), sealed, passphrase, Number(o.crlDays), cliActor()),
      );
      const next = new Date(crl.nextUpdate).toISOString();
      emit(
        g,
        { crlNumber: crl.number, nextUpdate: next },
        () => `root CRL ${crl.number} signed, valid until ${next}; the root key is out of the store again`,
      );
    });

  ca.command('bulk-issue')
    .description('issue N certificates for one fixture key (scale tests and benchmarks, seed 003)')
    .requiredOption('--count <n>', 'how many')
    .option('--profile <name>', 'end-entity profile', 'seal')
    .option('--batch <n>', 'certificates per signing batch', '500')
    .action(async (o: Record<string, string>, cmd: Command) => {
      const g = globals(cmd);
      const count = Number(o.count);
      if (!Number.isSafeInteger(count) || count < 1 || count > 10_000_000)
        throw new ShomeiError('invalid_parameter', { name: 'count' });
      const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
      const bar = progress('certificates');
      let shown = 0;
      const r = await withApp(g, (app) =>
        bulkIssue(app.ca, {
          count,
          spki,
          profile: profileOf(o.profile as string),
          batchSize: Number(o.batch),
          actor: cliActor(),
          onProgress: (done) => {
            bar.add(done - shown);
            shown = done;
          },
        }),
      );
      bar.done();
      const rate = Math.round(r.issued / r.seconds);
      emit(
        g,
        { ...r, perSecond: rate },
        () => `issued ${r.issued.toLocaleString('en')} certificates in ${r.seconds.toFixed(1)} s (${rate}/s)`,
      );
    });
}
