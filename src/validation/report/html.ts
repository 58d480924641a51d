/**
 * The validation report as a server-rendered HTML page (the escaping template of http/html.ts, no
 * script, no external resources): the same facts as the JSON report, one section per signature.
 * Every value from the document (names, reasons) is escaped by the template.
 */

import { type Html, html } from '../../http/html.js';
import type {
  CertificateSummary,
  PathReport,
  PdfCoverage,
  SignatureReport,
  TimestampReport,
  ValidationReport,
} from '../ades/index.js';

const row = (label: string, value: Html | string | undefined) =>
  value === undefined || value === '' ? html`` : html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;

const cert = (c: CertificateSummary | undefined) =>
  c
    ? html`${c.subject}<br><small>issuer ${c.issuer}, serial ${c.serial}, valid ${c.notBefore} – ${c.notAfter}</small>`
    : undefined;

function path(p: PathReport | undefined): Html {
  if (!p) return html``;
  const chain = p.chain.map((c) => html`<li>${cert(c)}</li>`);
  const revocation = p.revocation.map(
    (r) =>
      html`<li>${r.certificate}: ${r.status}, ${r.source}${r.revokedAt ? html`, revoked at ${r.revokedAt}` : ''}</li>`,
  );
  return html`<p>Path at ${p.at}: <strong>${p.indication}</strong> ${p.subIndication ?? ''} ${p.reason ?? ''}</p>
<ol>${chain}</ol>${revocation.length ? html`<p>Revocation evidence:</p><ul>${revocation}</ul>` : ''}`;
}

const stamp = (t: TimestampReport) =>
  html`<li>${t.kind} time-stamp at ${t.genTime ?? '(unknown)'}: <strong>${t.indication}</strong>${t.tsa ? html`, TSA ${t.tsa.subject}` : ''}${t.reason ? html` — ${t.reason}` : ''}</li>`;

function coverage(c: PdfCoverage | undefined): Html {
  if (!c) return html``;
  const later = c.laterRevisions.map(
    (r) => html`<li>revision ending at byte ${r.end}: ${r.kind}${r.detail ? html` (${r.detail})` : ''}</li>`,
  );
  return html`<p>Covers bytes up to ${c.coveredUpTo} of ${c.fileLength} (ByteRange ${c.byteRange.join(' ')})${c.coversWholeFile ? ', the whole file' : ''}.
${c.modifiedAfterSigning ? html`<strong>The document was modified after signing.</strong>` : ''}</p>${later.length ? html`<ul>${later}</ul>` : ''}`;
}

function signature(s: SignatureReport): Html {
  return html`<section><h2>${s.format} signature ${s.id}: ${s.indication}${s.subIndication ? ` / ${s.subIndication}` : ''}</h2>
<table><tbody>
${row('Signer', cert(s.signer))}
${row('Claimed signing time', s.claimedSigningTime)}
${row('Validation time', s.validationTime)}
${row('Level', s.level)}
${row('Integrity', s.integrity.valid ? 'intact' : `failed: ${s.integrity.detail ?? ''}`)}
${row('Reasons', s.reasons.join('; '))}
</tbody></table>
${s.timestamps.length ? html`<h3>Time-stamps</h3><ul>${s.timestamps.map(stamp)}</ul>` : ''}
${s.certificatePath ? html`<h3>Certificate path</h3>${path(s.certificatePath)}` : ''}
${s.coverage ? html`<h3>What the signature covers</h3>${coverage(s.coverage)}` : ''}
</section>`;
}

export function renderReportHtml(report: ValidationReport, serviceName = 'shomei'): string {
  const verdict = report.allPassed ? 'All signatures passed' : 'Not every signature passed';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signature validation report — ${serviceName}</title></head>
<body><main>
<h1>Signature validation report</h1>
<p>${report.documentFormat} document, validated at ${report.validatedAt}: <strong>${verdict}</strong> (${report.signatures.length} signature(s)).</p>
${report.signatures.map(signature)}
<h2>Simplifications</h2><ul>${report.simplifications.map((s) => html`<li>${s}</li>`)}</ul>
</main></body></html>`.text;
}
