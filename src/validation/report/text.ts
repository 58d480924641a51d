/** The validation report as a few lines of text for a terminal (`shomei verify` without --json/--html). */
import type { SignatureReport, ValidationReport } from '../ades/index.js';

function signatureLines(s: SignatureReport): string[] {
  const lines = [
    `${s.format} ${s.id}: ${s.indication}${s.subIndication ? ` (${s.subIndication})` : ''}, level ${s.level}`,
  ];
  if (s.signer) lines.push(`  signer: ${s.signer.subject} (serial ${s.signer.serial})`);
  if (s.claimedSigningTime) lines.push(`  claimed signing time: ${s.claimedSigningTime}`);
  lines.push(`  validated at: ${s.validationTime}`);
  for (const t of s.timestamps) lines.push(`  ${t.kind} time-stamp ${t.genTime ?? '?'}: ${t.indication}`);
  if (s.coverage) {
    const c = s.coverage;
    lines.push(
      `  covers ${c.coveredUpTo}/${c.fileLength} bytes${c.modifiedAfterSigning ? ': document modified after signing' : ''}`,
    );
  }
  for (const r of s.reasons) lines.push(`  - ${r}`);
  return lines;
}

export function renderReportText(report: ValidationReport): string {
  const head = `${report.documentFormat} document: ${report.signatures.length} signature(s), ${report.allPassed ? 'all passed' : 'NOT all passed'}`;
  return [head, ...report.signatures.flatMap(signatureLines)].join('\n');
}
