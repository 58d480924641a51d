/**
 * `exportEvidence` (LOG-4): everything needed to check one signature offline — its log entry and
 * the related authentication, SAD and credential entries, each with its inclusion proof; a
 * checkpoint signed after the revocation data was taken, which all proofs are against; the
 * credential's certificate chain; OCSP and CRL answers from the built-in CA at export time. The
 * export is itself logged (LOG-1) with the SHA-256 of every blob it bundles, so a verifier proves
 * the blobs' bytes like any entry, not only the parts their own signatures happen to cover.
 */
import type { AuditLog } from '../audit/index.js';
import type { CaAuthority, Crls } from '../ca/index.js';
import type { OcspResponder } from '../ca/ocsp/index.js';
import { ShomeiError } from '../errors.js';
import { checkCrl, checkOcspResponse, ocspQuery } from '../formats/ltv/index.js';
import type { Clock } from '../platform/index.js';
import { blobDigests, EVIDENCE_FORMAT, type EvidenceBundle } from './bundle.js';
import { collectEntries, findSignature, signatureEntry } from './collect.js';
import { EXPORT_EVENT } from './links.js';

/** What the export reads; the App satisfies it. */
export interface EvidenceSources {
  readonly audit: Pick<AuditLog, 'append' | 'entry' | 'inclusionProof' | 'checkpoint'>;
  readonly logVerifierKey: string;
  readonly keys: {
    certificate(
      keyId: string,
    ): Promise<{ readonly chain: readonly Buffer[]; readonly serialNumber: string } | null | undefined>;
  };
  readonly ca: { authorities(): Promise<readonly CaAuthority[]> };
  readonly crls: Pick<Crls, 'current'>;
  readonly ocsp: Pick<OcspResponder, 'respond'>;
  readonly platform: { readonly clock: Clock };
}

export interface ExportOptions {
  /** Who exports, for the log (default 'system'). */
  readonly actor?: string;
  /** Entries looked at, walking back from the signature, before giving up (default 1,000,000). */
  readonly maxScan?: number;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** `id`: the signature entry's seq (decimal) or its signatureSha256 (hex). */
export async function exportEvidence(
  src: EvidenceSources,
  id: string,
  opts: ExportOptions = {},
): Promise<EvidenceBundle> {
  const maxScan = opts.maxScan ?? 1_000_000;
  const head = await src.audit.checkpoint();
  if (!head) throw new ShomeiError('evidence_signature_not_found', { id });
  const seq = await findSignature(src.audit, id, head.size, maxScan);
  const { entry, sig } = await signatureEntry(src.audit, seq);
  const cert = await src.keys.certificate(sig.keyId);
  if (!cert || cert.chain.length === 0)
    throw new ShomeiError('evidence_incomplete', { id, detail: 'the key has no certificate' });
  const related = await collectEntries(src.audit, sig, cert.serialNumber, maxScan);
  const revocation = await revocationData(src, cert.chain);
  if (!revocation.ocsp.some((r) => r.cert === 0) && !revocation.crls.some((r) => r.cert === 0)) {
    throw new ShomeiError('evidence_incomplete', { id, detail: 'no revocation data for the certificate' });
  }
  const certificates = cert.chain.map(b64);
  const logged = await src.audit.append({
    type: EXPORT_EVENT,
    actor: opts.actor ?? 'system',
    outcome: 'success',
    signatureSeq: seq,
    ...blobDigests({ certificates, revocation }),
  });
  const exported = await src.audit.entry(logged.seq);
  if (!exported) throw new ShomeiError('evidence_incomplete', { id, detail: 'the export entry cannot be read back' });
  // Signed after the revocation data was taken, so the checkpoint time dates it too.
  const cp = await src.audit.checkpoint();
  if (!cp || cp.size <= logged.seq)
    throw new ShomeiError('evidence_incomplete', { id, detail: 'no checkpoint covers it' });
  const entries = [...related, { role: 'signature' as const, entry }, { role: 'export' as const, entry: exported }];
  entries.sort((a, b) => a.entry.seq - b.entry.seq);
  const v = entry.event;
  return {
    format: EVIDENCE_FORMAT,
    signature: {
      seq,
      signatureSha256: String(v.signatureSha256),
      hashAlgorithmOID: String(v.hashAlgorithmOID),
      hash: String(v.hash),
      ...(typeof v.documentHash === 'string' ? { documentHash: v.documentHash } : {}),
    },
    log: { verifierKey: src.logVerifierKey, checkpoint: cp.note },
    entries: await Promise.all(
      entries.map(async ({ role, entry: e }) => ({
        role,
        seq: e.seq,
        data: b64(e.data),
        proof: (await src.audit.inclusionProof(e.seq, cp.size)).map(b64),
      })),
    ),
    certificates,
    revocation,
  };
}

/** OCSP and CRL answers of the built-in CA for each certificate it issued in the chain, checked before use. */
async function revocationData(src: EvidenceSources, chain: readonly Buffer[]): Promise<EvidenceBundle['revocation']> {
  const authorities = await src.ca.authorities();
  const now = src.platform.clock.now();
  const out: EvidenceBundle['revocation'] = { ocsp: [], crls: [] };
  for (let i = 0; i + 1 < chain.length; i++) {
    const [subject, issuer] = [chain[i] as Buffer, chain[i + 1] as Buffer];
    const authority = authorities.find((a) => a.certificate.equals(issuer));
    if (!authority) continue;
    const query = await ocspQuery(subject, issuer);
    const answer = await src.ocsp.respond(query.der);
    if ((await checkOcspResponse(answer.der, query, issuer, now)).ok) out.ocsp.push({ cert: i, der: b64(answer.der) });
    try {
      const crl = await src.crls.current(authority.id);
      if ((await checkCrl(crl.der, issuer, now)).ok) out.crls.push({ cert: i, der: b64(crl.der) });
    } catch {
      // An offline root's CRL may be unavailable between ceremonies; OCSP may still answer.
    }
  }
  return out;
}
