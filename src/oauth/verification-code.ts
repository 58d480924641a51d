/**
 * The verification code (AUTH-2 phishing/MITM, VIEW): four digits derived from exactly the hashes
 * being authorised, shown by the signature application and by the RSSP's consent page. If the two
 * differ, someone changed what is being signed between them and the signer refuses.
 *
 * As Smart-ID computes it (integer of the last two bytes of SHA-256(hash), modulo 10000, four
 * digits), over the raw digests concatenated in order so that a batch has one code. Anyone can
 * compute it from the request: it proves nothing by itself, it lets the signer compare.
 */
import { createHash } from 'node:crypto';

export function verificationCode(hashes: readonly Uint8Array[]): string {
  const h = createHash('sha256');
  for (const d of hashes) h.update(d);
  const digest = h.digest();
  return String(digest.readUInt16BE(digest.length - 2) % 10_000).padStart(4, '0');
}
