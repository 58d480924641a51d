/** `shomei key …`: DB-2 keys, their CSRs and certificate chains (KEY-1..3, SIGN-2). */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { importExternalChain, readCertificateFiles } from '../../ca/index.js';
import { type KekRotationResult, type KeyRecord, type KeyType, rotateKek } from '../../keys/index.js';
import { cliActor, emit, globals, progress, withApp } from '../context.js';

const line = (k: KeyRecord) => `${k.id}  ${k.keyType.padEnd(9)} ${k.purpose.padEnd(8)} ${k.status}`;
const toPem = (der: Buffer, label: string) =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

/** Reads PEM (one or many blocks) or DER certificates. */

function rotationText(r: KekRotationResult): string {
  const what = r.from
    ? `KEK ${r.from} → ${r.to}: ${r.rewrapped} key(s) re-wrapped, ${r.keys} under the new KEK`
    : `KEK ${r.to}: finished an interrupted rotation (clean-up)`;
  if (r.source === 'file') return `${what}; the old KEK file is overwritten and gone.`;
  return `${what}.\nNow set SHOMEI_KEK (keystore.kek) to the value of SHOMEI_KEK_NEXT, remove SHOMEI_KEK_NEXT, and restart every shomei process.`;
}

export function keyCommands(program: Command): void {
  const key = program.command('key').description('manage keys (DB-2)');
  key
    .command('rotate-kek')
    .description('re-wrap every software key under a new key-encryption key while services run; re-run to resume')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const p = progress('keys re-wrapped');
      const r = await withApp(g, (app) =>
        rotateKek({
          store: app.store,
          dataDir: app.config.dataDir,
          config: app.config.keystore,
          random: app.platform.random,
          audit: app.audit,
          actor: cliActor(),
          onRow: () => p.add(1),
        }),
      );
      p.done();
      emit(g, r, () => rotationText(r));
    });
  key
    .command('generate')
    .option('--type <type>', 'key type from the algorithm table', 'EC-P256')
    .action(async (o: { type: string }, cmd: Command) => {
      const g = globals(cmd);
      const k = await withApp(g, async (app) => {
        const rec = await app.keys.generate(o.type as KeyType, 'signing');
        await app.audit.append({
          type: 'key.generate',
          actor: cliActor(),
          outcome: 'success',
          keyId: rec.id,
          keyType: rec.keyType,
        });
        return rec;
      });
      emit(g, { ...k, publicKey: k.publicKey.toString('base64') }, () => line(k));
    });
  key
    .command('csr <keyId>')
    .description('PKCS#10 request for the key, for an external CA (KEY-3)')
    .requiredOption('--subject <dn>', 'RFC 4514 subject, e.g. "CN=Taro Yamada,O=Example,C=JP"')
    .option('--out <file>', 'write PEM here instead of stdout')
    .action(async (id: string, o: { subject: string; out?: string }, cmd: Command) => {
      const g = globals(cmd);
      const pem = toPem(await withApp(g, (app) => app.keys.csr(id, o.subject)), 'CERTIFICATE REQUEST');
      if (o.out) writeFileSync(o.out, pem);
      emit(g, { keyId: id, csr: pem }, () => (o.out ? `wrote ${o.out}` : pem.trimEnd()));
    });
  key
    .command('import-cert <keyId> <files...>')
    .description(
      'attach a certificate chain from another CA (end-entity first; PEM or DER): checked against the key, valid now, leading to ca.externalAnchors',
    )
    .action(async (id: string, files: string[], _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const info = await withApp(g, async (app) => {
        const anchors = readCertificateFiles(app.config.ca.externalAnchors);
        const r = await importExternalChain(
          { keys: app.keys, ca: app.ca, anchors, now: app.platform.clock.now() },
          id,
          readCertificateFiles(files),
        );
        await app.audit.append({
          type: 'key.certificate.import',
          actor: cliActor(),
          outcome: 'success',
          keyId: id,
          serial: r.serialNumber,
        });
        return r;
      });
      emit(
        g,
        { ...info, chain: info.chain.map((c) => c.toString('base64')) },
        () => `${info.subjectDn} (serial ${info.serialNumber})`,
      );
    });
  key.command('list').action(async (_o: unknown, cmd: Command) => {
    const g = globals(cmd);
    const rows = await withApp(g, (app) =>
      app.store.db
        .selectFrom('keys')
        .select('id')
        .orderBy('created_at')
        .execute()
        .then((r) => Promise.all(r.map((x) => app.keys.get(x.id)))),
    );
    emit(
      g,
      rows.map((k) => ({ ...k, publicKey: k.publicKey.toString('base64') })),
      () => rows.map(line).join('\n'),
    );
  });
  key
    .command('destroy <keyId>')
    .description('zeroise the key (SIGN-2); the record stays for the log')
    .requiredOption('--reason <reason>', 'why; recorded in the log with who (KEY-2)')
    .action(async (id: string, o: { reason: string }, cmd: Command) => {
      const g = globals(cmd);
      // The key service logs key.destroy with the actor and the reason.
      await withApp(g, (app) => app.keys.destroy(id, { actor: cliActor(), reason: o.reason }));
      emit(g, { keyId: id, status: 'destroyed' }, () => `destroyed ${id}`);
    });
}
