/**
 * B7 (BENCH.md): the time to validate a PDF carrying 5 PAdES B-LT signatures, with the report —
 * `POST /validation` on the server as `npm start` runs it (path validation of each signer and
 * each time-stamp, embedded OCSP/CRLs, coverage and changes of every revision) — against the time
 * to read the file. Goal: ≤ 1 s absolute. The PDF is made by the same server: five signDoc calls,
 * each signing the previous result (an incremental revision each, plus its DSS).
 */

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { prepare } from './cases-sign.js';
import type { Row, RunOptions } from './report.js';

const SHA256 = '2.16.840.1.101.3.4.2.1';
const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function benchValidate(opts: RunOptions): Promise<Row[]> {
  const runs = opts.quick ? 3 : 11;
  const dir = mkdtempSync(join(tmpdir(), 'shomei-b7-'));
  const p = await prepare(opts);
  try {
    const post = async (path: string, body: unknown, token = true) => {
      const r = await fetch(`${p.server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${p.token}` } : {}) },
        body: JSON.stringify(body),
      });
      const json = (await r.json()) as Record<string, unknown>;
      if (r.status !== 200) throw new Error(`B7: ${path} answered ${r.status} ${JSON.stringify(json).slice(0, 300)}`);
      return json;
    };
    const doc = await PDFDocument.create();
    for (let i = 0; i < 3; i++) doc.addPage().drawText(`B7 contract, page ${i + 1}`);
    let pdf = Buffer.from(await doc.save({ useObjectStreams: false }));
    const credentialID = p.demo.credentials.p256;
    for (let i = 0; i < 5; i++) {
      const { SAD } = await post('/csc/v2/credentials/authorize', {
        credentialID,
        numSignatures: 1,
        hashes: [createHash('sha256').update(pdf).digest('base64')],
        hashAlgorithmOID: SHA256,
        authData: [{ id: 'PIN', value: p.demo.pin }],
      });
      const out = await post('/csc/v2/signatures/signDoc', {
        credentialID,
        SAD,
        documents: [
          {
            document: pdf.toString('base64'),
            signAlgo: ECDSA_SHA256,
            signature_format: 'P',
            conformance_level: 'Ades-B-LT',
          },
        ],
      });
      pdf = Buffer.from((out.DocumentWithSignature as string[])[0] as string, 'base64');
    }
    const file = join(dir, 'five.pdf');
    writeFileSync(file, pdf);

    let verdicts = '';
    const once = async () => {
      const t0 = performance.now();
      const report = await post('/validation', { document: readFileSync(file).toString('base64') }, false);
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
