/**
 * Helpers for the TSA tests: `openssl ts -verify` in a scratch directory (formats-support.ts's
 * workdir) holding the trust files, and the TSTInfo of a token read with pkijs.
 */
import * as asn1js from 'asn1js';
import { ContentInfo, SignedData, TSTInfo } from 'pkijs';
import type { Workdir } from './formats-support.js';
import { certPem } from './keys-openssl.js';

/** Writes root.pem (trust anchor) and chain.pem (issuing CA + TSA) for `openssl ts -verify`. */
export function writeTrust(w: Workdir, chain: readonly Uint8Array[]): void {
  const [tsa, issuing, root] = chain as [Uint8Array, Uint8Array, Uint8Array];
  w.write('root.pem', certPem(root));
  w.write('chain.pem', certPem(issuing) + certPem(tsa));
}

/**
 * `openssl ts -verify` in `w` (after writeTrust) of a reply file, or a bare token file, over a data
 * file or a digest; its text output.
 */
export function tsVerifyIn(
  w: Workdir,
  what: { reply: string } | { token: string },
  over: { data: string } | { digest: Uint8Array },
): string {
  const input = 'data' in over ? ['-data', over.data] : ['-digest', Buffer.from(over.digest).toString('hex')];
  const tok = 'token' in what ? ['-in', what.token, '-token_in'] : ['-in', what.reply];
  return w.openssl(['ts', '-verify', ...input, ...tok, '-CAfile', 'root.pem', '-untrusted', 'chain.pem']).out;
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
