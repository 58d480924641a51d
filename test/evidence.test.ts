/**
 * LOG-4 evidence bundles: exported after a real authorize + signHash with the demo signer, checked
 * offline by verifyEvidence; every field and a byte of every base64 blob altered in turn must fail
 * with a problem naming the place; independent oracles (openssl) check the checkpoint's Ed25519
 * signature, the chain, the CRL and OCSP answers and the signature itself against the bundle's
 * certificate; and the CLI exports and verifies the same way as a separate process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaAuthority, ISSUING_ID } from '../src/ca/index.js';
import { type EvidenceBundle, exportEvidence, serializeBundle, verifyEvidence } from '../src/evidence/index.js';
import { crlVerify, ocspText } from './formats-support.js';
import { certPem, openssl } from './keys-openssl.js';
import { authorizeBody, b64, logEvents, OIDS, sha256, startApp, type TestApp } from './support/app.js';
import { cli } from './support/cli.js';

let t: TestApp;
let closed = false;
let root: CaAuthority;
let bundle: EvidenceBundle;
let text: string;
let signature: Buffer;
let hash: Buffer;
/** Every n-th byte is replaced (EVIDENCE_SCAN_STEP=1 for an exhaustive run by hand). */
const SCAN_STEP = Number(process.env.EVIDENCE_SCAN_STEP ?? 149);
const dir = mkdtempSync(join(tmpdir(), 'shomei-evidence-'));

async function signHash(app: TestApp, h: Buffer): Promise<Buffer> {
  const credentialID = app.demo.credentials.p256;
  const a = await app.post('credentials/authorize', authorizeBody(credentialID, app.demo.pin, [h]), app.token);
  expect(a.status, a.text).toBe(200);
  const body = { credentialID, SAD: a.json.SAD, hashes: [b64(h)], signAlgo: OIDS.ecdsaSha256 };
  const s = await app.post('signatures/signHash', body, app.token);
  expect(s.status, s.text).toBe(200);
  return Buffer.from(s.json.signatures[0], 'base64');
}

async function seqOf(app: TestApp, sig: Buffer): Promise<number> {
  const digest = sha256(sig).toString('hex');
  const e = (await logEvents(app.app)).find((x) => x.type === 'signature.create' && x.signatureSha256 === digest);
  if (!e) throw new Error('no signature entry');
  return e.seq;
}

const verify = (input: string | EvidenceBundle) =>
  verifyEvidence(typeof input === 'string' ? input : serializeBundle(input), {
    logKey: t.app.logVerifierKey,
    anchors: [root.certificate],
  });

beforeAll(async () => {
  t = await startApp({ dataDir: dir });
  [root] = (await t.app.ca.authorities()) as [CaAuthority];
  hash = sha256('LOG-4 evidence');
  await signHash(t, sha256('an earlier signature')); // other entries around ours
  signature = await signHash(t, hash);
  bundle = await exportEvidence(t.app, String(await seqOf(t, signature)));
  text = serializeBundle(bundle);
}, 60_000);
afterAll(async () => {
  if (!closed) await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('LOG-4 evidence export and offline verification', () => {
  it('LOG-4 a bundle exported after signHash verifies offline with the pinned log key and root', async () => {
    const r = await verify(text);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ ok: true, logKey: 'pinned', anchor: 'pinned' });
    expect(r.signature).toMatchObject({ hash: b64(hash), signatureSha256: sha256(signature).toString('hex') });
    const types = r.entries.map((e) => e.type);
    for (const type of [
      'credential.create',
      'auth.login',
      'auth.token.issue',
      'auth.pin',
      'sad.issue',
      'signature.create',
    ])
      expect(types).toContain(type);
    expect(r.revocation.map((x) => x.status)).toContain('good');
    // By signatureSha256 too, and the earlier signature's SAD and factors are not mixed in.
    const again = await exportEvidence(t.app, sha256(signature).toString('hex'));
    expect(again.signature.seq).toBe(bundle.signature.seq);
    expect(again.entries.filter((e) => e.role === 'sad')).toHaveLength(1);
  });

  it('LOG-4 independent oracles: openssl checks the checkpoint signature, chain, CRL, OCSP and the signature', () => {
    const [ee, issuing, top] = bundle.certificates.map((c) => Buffer.from(c, 'base64')) as [Buffer, Buffer, Buffer];
    const ver = openssl({ 'root.pem': certPem(top), 'i.pem': certPem(issuing), 'ee.pem': certPem(ee) }, [
      'verify',
      '-CAfile',
      '{root.pem}',
      '-untrusted',
      '{i.pem}',
      '{ee.pem}',
    ]);
    expect(ver.out).toContain('OK');
    // The signature returned by signHash verifies over the signed hash with the bundle's certificate.
    const pub = openssl({ 'ee.pem': certPem(ee) }, ['x509', '-in', '{ee.pem}', '-pubkey', '-noout']).out;
    const sigOk = openssl({ 'pub.pem': pub, 'h.bin': hash, 's.der': signature }, [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      '{pub.pem}',
      '-in',
      '{h.bin}',
      '-sigfile',
      '{s.der}',
    ]);
    expect(sigOk.out).toContain('Signature Verified Successfully');
    // The checkpoint note: Ed25519 over its text (C2SP signed-note), key from the verifier key string.
    const note = bundle.log.checkpoint;
    const [body, sigLine] = [note.slice(0, note.lastIndexOf('\n\n') + 1), note.slice(note.lastIndexOf('\n\n') + 2)];
    const rawSig = Buffer.from(sigLine.trim().split(' ').at(-1) as string, 'base64').subarray(4);
    const rawKey = Buffer.from(t.app.logVerifierKey.split('+').slice(2).join('+'), 'base64').subarray(1);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), rawKey]);
    const ed = openssl({ 'k.der': spki, 'n.txt': body, 's.bin': rawSig }, [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-keyform',
      'DER',
      '-inkey',
      '{k.der}',
      '-rawin',
      '-in',
      '{n.txt}',
      '-sigfile',
      '{s.bin}',
    ]);
    expect(ed.out).toContain('Signature Verified Successfully');
    const crl = bundle.revocation.crls.find((c) => c.cert === 0);
    expect(crlVerify(Buffer.from(crl?.der ?? '', 'base64'), [issuing]).out).toContain('verify OK');
    const ocsp = bundle.revocation.ocsp.find((c) => c.cert === 0);
    expect(ocspText(Buffer.from(ocsp?.der ?? '', 'base64'))).toMatch(/Cert Status: good/);
  });

  it('LOG-4 a certificate revoked after it signed: the evidence still verifies and reports the revocation', async () => {
    const credentialID = t.demo.credentials.rsa2048;
    const h = sha256('signed before the revocation');
    const a = await t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, [h]), t.token);
    const body = { credentialID, SAD: a.json.SAD, hashes: [b64(h)], signAlgo: OIDS.sha256WithRSA };
    const sig = Buffer.from((await t.post('signatures/signHash', body, t.token)).json.signatures[0], 'base64');
    const { keyId } = await t.app.users.getCredential(credentialID);
    const serial = (await t.app.keys.certificate(keyId))?.serialNumber as string;
    // Revocation times are whole seconds; the signing second itself would count as revoked.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await t.app.ca.revoke(ISSUING_ID, serial, 'keyCompromise', 'admin:test');
    const r = await verify(await exportEvidence(t.app, String(await seqOf(t, sig))));
    expect(r.problems).toEqual([]);
    expect(r.revocation.filter((x) => x.cert === 0).map((x) => x.status)).toEqual(['revoked', 'revoked']);
  });

  it('LOG-4 export refuses an id that names no signature entry with catalogue errors', async () => {
    await expect(exportEvidence(t.app, '0')).rejects.toMatchObject({ code: 'evidence_signature_not_found' });
    await expect(exportEvidence(t.app, 'f'.repeat(64))).rejects.toMatchObject({ code: 'evidence_signature_not_found' });
    await expect(exportEvidence(t.app, 'seq 5')).rejects.toMatchObject({ code: 'invalid_parameter' });
  });
});

type Path = ReadonlyArray<string | number>;
// biome-ignore lint/suspicious/noExplicitAny: a change takes the value found at its path
type Change = readonly [where: string, path: Path, to: (old: any) => unknown];

/** A copy of the bundle with the value at `path` replaced. */
function altered(path: Path, to: Change[2]): EvidenceBundle {
  const copy = structuredClone(bundle);
  const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((o, k) => o[k] as never, copy as never);
  const key = path.at(-1) as string | number;
  parent[key] = to(parent[key]);
  return copy;
}

/** One base64 blob with a byte flipped in the middle of its decoded value. */
function flip(b64text: string): string {
  const bytes = Buffer.from(b64text, 'base64');
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0x01;
  return bytes.toString('base64');
}

describe('LOG-4 any alteration fails and says where', () => {
  it('LOG-4 every field, and a byte of every base64 blob, altered in turn is reported at its own place', async () => {
    const cases: Change[] = [
      ['format', ['format'], () => 'shomei-evidence/v2'],
      ['signature.seq', ['signature', 'seq'], (n: number) => n + 1],
      ['signature.signatureSha256', ['signature', 'signatureSha256'], () => '0'.repeat(64)],
      ['signature.hash', ['signature', 'hash'], flip],
      ['signature.hashAlgorithmOID', ['signature', 'hashAlgorithmOID'], () => OIDS.sha384],
      ['log.verifierKey', ['log', 'verifierKey'], (k: string) => k.replace(/^./, 'x')],
      [
        'log.checkpoint',
        ['log', 'checkpoint'],
        (n: string) => n.replace(/\n(\d+)\n/, (_m, x) => `\n${Number(x) + 1}\n`),
      ],
      ['revocation', ['revocation'], () => ({ ocsp: [], crls: [] })],
    ];
    for (const [i, e] of bundle.entries.entries()) {
      cases.push([`entries[${i}].seq`, ['entries', i, 'seq'], (n: number) => n + 1000]);
      cases.push([`entries[${i}]`, ['entries', i, 'data'], flip]);
      cases.push([`entries[${i}]`, ['entries', i, 'role'], (r: string) => (r === 'sad' ? 'factor' : 'sad')]);
      for (const j of e.proof.keys()) cases.push([`entries[${i}]`, ['entries', i, 'proof', j], flip]);
    }
    for (const i of bundle.certificates.keys()) cases.push([`certificates[${i}]`, ['certificates', i], flip]);
    for (const kind of ['ocsp', 'crls'] as const) {
      for (const i of bundle.revocation[kind].keys()) {
        cases.push([`revocation.${kind}[${i}]`, ['revocation', kind, i, 'der'], flip]);
        cases.push([`revocation.${kind}[${i}]`, ['revocation', kind, i, 'cert'], (n: number) => n + 1]);
      }
    }
    for (const [where, path, to] of cases) {
      const r = await verify(altered(path, to));
      expect(r.ok, where).toBe(false);
      const named = r.problems.some(
        (p) => p.where === where || (/^[.[]/.test(p.where.slice(where.length)) && p.where.startsWith(where)),
      );
      expect(named, `${where}: ${JSON.stringify(r.problems)}`).toBe(true);
    }
  });

  it('LOG-4 a byte replaced anywhere in the file fails (sampled across the whole bundle)', async () => {
    const next = (c: string) =>
      /[0-8a-yA-Y]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : /[9zZ]/.test(c) ? '0' : 'Z';
    for (let i = 0; i < text.length; i += SCAN_STEP) {
      const r = await verify(text.slice(0, i) + next(text.charAt(i)) + text.slice(i + 1));
      expect.soft(r.ok, `offset ${i} (${text.slice(i - 10, i + 10)})`).toBe(false);
      expect.soft(r.problems[0]?.where).toMatch(/\S/);
    }
  }, 600_000);

  it('LOG-4 without a pinned key or anchor it says so; a different pinned key or anchor fails', async () => {
    const unpinned = await verifyEvidence(text);
    expect(unpinned).toMatchObject({ ok: true, logKey: 'unpinned', anchor: 'unpinned' });
    const other = await verifyEvidence(text, { logKey: 'other+01234567+AQ' + 'A'.repeat(42) + '=' });
    expect(other.problems.map((p) => p.where)).toContain('log.verifierKey');
    const ee = Buffer.from(bundle.certificates[0] as string, 'base64');
    const wrongAnchor = await verifyEvidence(text, { anchors: [ee] });
    expect(wrongAnchor.problems.map((p) => p.where)).toContain(`certificates[${bundle.certificates.length - 1}]`);
  });
});

describe('LOG-4 CLI round trip', () => {
  it('LOG-4 shomei evidence export, then verify (exit 0); a tampered file exits 1 naming the place', async () => {
    await t.close(); // the CLI opens the same data directory (kept: startApp was given it)
    closed = true;
    const out = join(dir, 'evidence.json');
    const rootPem = join(dir, 'root.pem');
    writeFileSync(rootPem, certPem(root.certificate));
    const e = await cli(dir, [
      'evidence',
      'export',
      '--signature',
      String(bundle.signature.seq),
      '--out',
      out,
      '--json',
    ]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json).toMatchObject({ seq: bundle.signature.seq });
    const v = await cli(dir, ['evidence', 'verify', out, '--log-key', t.app.logVerifierKey, '--anchor', rootPem]);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toContain('evidence OK');
    const tampered = join(dir, 'tampered.json');
    writeFileSync(tampered, text.replace(bundle.signature.hash, flip(bundle.signature.hash)));
    const bad = await cli(dir, [
      'evidence',
      'verify',
      tampered,
      '--log-key',
      t.app.logVerifierKey,
      '--anchor',
      rootPem,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/signature\.hash: does not match the signature entry/);
  }, 120_000);
});
