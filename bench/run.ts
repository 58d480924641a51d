/**
 * `npm run bench [-- --quick] [-- --only B1,B1P,B3]`: the suite of BENCH.md. Prints one table and writes
 * bench/results/latest.json. --quick runs each case for a second or two so CI proves the suite
 * works; it checks that every case produced a figure, never how fast it was.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchAudit } from './cases-audit.js';
import { benchIssue } from './cases-ca.js';
import { benchOcsp } from './cases-ocsp.js';
import { benchPades } from './cases-pades.js';
import { benchSignPkcs11 } from './cases-pkcs11.js';
import { benchSign } from './cases-sign.js';
import { benchValidate } from './cases-validate.js';
import { ROOT, versions } from './lib.js';
import { type Row, table } from './report.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : undefined;
// The server under test is `node bin/shomei.js`, i.e. dist/: compile the current source first, so a
// stale build is never what gets measured.
execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: ROOT,
  stdio: 'inherit',
});
const env = await versions();
const opts = { quick, nproc: env.nproc, quiet: false };

const rows: Row[] = [];
const b1 = !only || only.includes('B1');
const b2 = !only || only.some((c) => c === 'B2' || c === 'M1');
if (b1 || b2) rows.push(...(await benchSign(opts, { b1, b2 })));
// B1 again with the keys in a SoftHSM2 token, one row per process layout (`--only B1P` alone).
if (b1 || only?.includes('B1P')) rows.push(...(await benchSignPkcs11(opts)));
if (!only || only.includes('B3')) rows.push(...(await benchAudit(opts)));
if (!only || only.includes('B4')) rows.push(...(await benchIssue(opts)));
if (!only || only.includes('B5')) rows.push(...(await benchOcsp(opts)));
if (!only || only.includes('B6')) rows.push(...(await benchPades(opts)));
if (!only || only.includes('B7')) rows.push(...(await benchValidate(opts)));

const out = { date: new Date().toISOString(), quick, ...env, rows };
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/latest.json'), `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(
  `\nnproc ${env.nproc}, node ${env.node}, ${env.openssl}${quick ? ' (quick)' : ''}\n\n${table(rows)}\n`,
);

const missing = rows.filter((r) => !Number.isFinite(r.figure) || r.figure <= 0);
if (missing.length > 0) {
  process.stderr.write(`bench: no figure for ${missing.map((r) => r.case).join(', ')}\n`);
  process.exit(1);
}
