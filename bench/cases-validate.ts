/**
 * B7 (BENCH.md): the time to validate a PDF carrying 5 PAdES B-LT signatures, with the report —
 * `POST /validation` on the server as `npm start` runs it (path validation of each signer and
 * each time-stamp, embedded OCSP/CRLs, coverage and changes of every revision) — against the time
 * to read the file. Goal: ≤ 1 s absolute. The PDF is made by the same server: five signDoc calls,
 * each signing the previous result (an incremental revision each, plus its DSS).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { median, postAs, signPdf } from './cases-pades.js';
import { prepare } from './cases-sign.js';
import type { Row, RunOptions } from './report.js';

export async function benchValidate(opts: RunOptions): Promise<Row[]> {
  const runs = opts.quick ? 3 : 11;
  const dir = mkdtempSync(join(tmpdir(), 'shomei-b7-'));
  const p = await prepare(opts);
  try {
    const doc = await PDFDocument.create();
    for (let i = 0; i < 3; i++) doc.addPage().drawText(`B7 contract, page ${i + 1}`);
    let pdf: Buffer = Buffer.from(await doc.save({ useObjectStreams: false }));
    for (let i = 0; i < 5; i++) pdf = await signPdf(p, pdf, 'Ades-B-LT');
    const file = join(dir, 'five.pdf');
    writeFileSync(file, pdf);

    let verdicts = '';
    const once = async () => {
      const t0 = performance.now();
      const report = await postAs(p, '/validation', { document: readFileSync(file).toString('base64') }, false);
      const sigs = report.signatures as { indication: string }[];
      verdicts = `${sigs.filter((s) => s.indication === 'TOTAL-PASSED').length}/${sigs.length} TOTAL-PASSED`;
      return performance.now() - t0;
    };
    await once(); // warm-up
    const ours: number[] = [];
    for (let i = 0; i < runs; i++) ours.push(await once());
    const ref: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      readFileSync(file);
      ref.push(performance.now() - t0);
    }
    const o = median(ours);
    const r = median(ref);
    return [
      {
        case: 'B7 validate',
        figure: o,
        unit: 'ms',
        reference: r,
        referenceLabel: 'ms to read the file',
        ratio: o / r,
        goal: '<= 1 s absolute',
        notes: `${(pdf.length / 1024).toFixed(0)} KiB PDF, 5 PAdES B-LT signatures, POST /validation with the JSON report (${verdicts}); ${o <= 1000 ? 'met' : 'missed'}; median of ${runs}`,
      },
    ];
  } finally {
    await p.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}
