/**
 * `shomei verify FILE` (CLI-1, VERIFY): the AdES validation report of a signed PDF, CMS (.p7s,
 * .p7m), XML or JWS file — as text, --json or --html (to stdout or --out). The exit code is 0 only
 * when every signature is TOTAL-PASSED and no PDF was modified after signing, 1 otherwise. Trust
 * anchors are the --anchor files, or else the service's trust anchors (trust.* in its configuration and
 * its own root) in --data-dir;
 * revocation status missing from a signature is fetched (this service's own in-process).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { publicUrl } from '../../bootstrap/urls.js';
import { createHttpFetch, injectFetch, routeFetch } from '../../formats/ltv/index.js';
import { systemClock } from '../../platform/index.js';
import { revocationFetch, type ValidationReport, validateSignatures } from '../../validation/ades/index.js';
import { renderReportHtml, renderReportText } from '../../validation/report/index.js';
import { CliError, configFrom, emit, type GlobalOptions, globals, withApp, writeAtomically } from '../context.js';

interface VerifyOptions {
  detached?: string;
  anchor: string[];
  html?: boolean;
  out?: string;
  fetch: boolean;
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`);
  }
}

/** Every certificate of a PEM file (RFC 7468), or the file as one DER certificate. */
function anchorsOf(file: string): Uint8Array[] {
  const data = readInput(file);
  const pem = [
    ...data.toString('latin1').matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g),
  ];
  if (pem.length === 0) return [new Uint8Array(data)];
  return pem.map((m) => new Uint8Array(Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64')));
}

async function validate(g: GlobalOptions, document: Uint8Array, o: VerifyOptions): Promise<ValidationReport> {
  const base = {
    revocationMode: 'prefer' as const,
    clock: systemClock,
    ...(o.detached ? { detachedContent: readInput(o.detached) } : {}),
  };
  const remote = createHttpFetch({ timeoutMs: 5000 });
  if (o.anchor.length > 0) {
    const anchors = o.anchor.flatMap(anchorsOf);
    return validateSignatures(document, { ...base, anchors, ...(o.fetch ? { fetch: revocationFetch(remote) } : {}) });
  }
  const dataDir = configFrom(g).dataDir;
  if (!existsSync(dataDir)) throw new CliError(`no --anchor given and no service data directory at ${dataDir}`);
  return withApp(g, async (app) => {
    const anchors = await app.trust.anchors();
    const local = injectFetch((req) => app.http.inject(req));
    const fetch = revocationFetch(routeFetch(publicUrl(app.config), local, remote));
    return validateSignatures(document, { ...base, anchors, ...(o.fetch ? { fetch } : {}) });
  });
}

export function verifyCommand(program: Command): void {
  program
    .command('verify <file>')
    .description('validate the signatures of a PDF, CMS, XML or JWS file (AdES report; exit 0 only if all pass)')
    .option('--detached <file>', 'the content a detached signature signs')
    .option(
      '--anchor <file>',
      'trust anchor certificate, PEM or DER (repeatable; default: this service root)',
      (v, acc: string[]) => [...acc, v],
      [],
    )
    .option('--html', 'write the report as an HTML page')
    .option('--out <file>', 'write the report (JSON with --json, HTML with --html) to this file')
    .option('--no-fetch', 'do not fetch revocation status missing from the signatures')
    .action(async (file: string, o: VerifyOptions, cmd: Command) => {
      const g = globals(cmd);
      const report = await validate(g, readInput(file), o);
      if (o.html || o.out) {
        const text = o.html ? renderReportHtml(report) : `${JSON.stringify(report, null, 2)}\n`;
        if (o.out) writeAtomically(o.out, text);
        else process.stdout.write(text);
        if (o.out)
          emit(g, { out: o.out, allPassed: report.allPassed }, () => `${renderReportText(report)}\nreport → ${o.out}`);
      } else {
        emit(g, report, () => renderReportText(report));
      }
      process.exitCode = report.allPassed ? 0 : 1;
    });
}
