/**
 * Helpers for the TSA tests: openssl (the independent oracle) on a scratch directory, and the
 * TSTInfo of a token read with pkijs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { ContentInfo, SignedData, TSTInfo } from 'pkijs';
import { certPem } from './keys-openssl.js';

export interface Workdir {
  readonly dir: string;
  write(name: string, data: string | Uint8Array): void;
  read(name: string): Buffer;
  /** openssl run in the directory: exit status and text output. */
  openssl(args: readonly string[]): { ok: boolean; out: string };
  /** openssl's standard output as bytes (e.g. a DER query written to stdout). */
  opensslBytes(args: readonly string[]): Buffer;
  remove(): void;
}

export function workdir(): Workdir {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-tsa-'));
  return {
    dir,
    write: (name, data) => writeFileSync(join(dir, name), data),
    read: (name) => readFileSync(join(dir, name)),
    openssl(args) {
      const r = spawnSync('openssl', [...args], { cwd: dir, encoding: 'utf8' });
      return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
    },
    opensslBytes(args) {
      const r = spawnSync('openssl', [...args], { cwd: dir });
      if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr.toString()}`);
      return r.stdout;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Writes root.pem (trust anchor) and chain.pem (issuing CA + TSA) for `openssl ts -verify`. */
export function writeTrust(w: Workdir, chain: readonly Uint8Array[]): void {
  const [tsa, issuing, root] = chain as [Uint8Array, Uint8Array, Uint8Array];
  w.write('root.pem', certPem(root));
  w.write('chain.pem', certPem(issuing) + certPem(tsa));
}

/** The SignedData and TSTInfo of a token, with genTime as written (to see its fraction). */
export function readToken(token: Uint8Array): { sd: SignedData; tst: TSTInfo; genTimeText: string } {
  const sd = new SignedData({ schema: ContentInfo.fromBER(token).content });
  const content = sd.encapContentInfo.eContent?.getValue() ?? new ArrayBuffer(0);
  const tst = TSTInfo.fromBER(content);
  const seq = asn1js.fromBER(content).result as asn1js.Sequence;
  const time = seq.valueBlock.value[4] as asn1js.GeneralizedTime;
  return { sd, tst, genTimeText: Buffer.from(time.valueBeforeDecodeView).subarray(2).toString('latin1') };
}

export const serialOf = (token: Uint8Array): string =>
  Buffer.from(readToken(token).tst.serialNumber.valueBlock.valueHexView).toString('hex');
