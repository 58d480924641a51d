/**
 * FMT-1 `signatures/signDoc` (csc-api-v2.md §5.2) over HTTP: each format the service offers, signed
 * with the demo credentials and checked by an independent tool — `openssl cms -verify` (CAdES),
 * `pdfsig` and `qpdf --check` (PAdES), `xmlsec1 --verify` (XAdES), jose (JAdES) — the SAD binding
 * the documents' digests, §2's signDoc errors, and the same bytes as client-side signing through
 * signHash for the same input and time.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaAuthority } from '../src/ca/index.js';
import { documentFormat, prepareDocument } from '../src/formats/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { certPem } from './keys-openssl.js';
import { authorizeBody, b64, OIDS, startApp, type TestApp } from './support/app.js';

const TOOLS = ['pdfsig', 'qpdf', 'xmlsec1'].filter((t) => spawnSync(t, ['--version']).error === undefined);
if (TOOLS.length < 3 && process.env.CI) throw new Error('pdfsig, qpdf and xmlsec1 are required in CI');
const has = (t: string) => TOOLS.includes(t);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();
const XML = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<invoice id="42"><total currency="JPY">1000</total></invoice>\n',
);
const TEXT = Buffer.from('契約書 — contract text\n');

describe('FMT-1 signatures/signDoc', () => {
  let t: TestApp;
  let dir: string;
  let root: Buffer;
  // Fixed for the run (same input and time → same bytes), an hour ago so openssl's real-time checks pass.
  const clock = manualClock(Date.now() - 3_600_000);
  let pdf: Buffer;

  const file = (name: string, data: Uint8Array | string) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  };

  beforeAll(async () => {
    t = await startApp({ platform: { clock, random: systemRandom } });
    dir = mkdtempSync(join(tmpdir(), 'shomei-signdoc-'));
    root = ((await t.app.ca.authorities())[0] as CaAuthority).certificate;
    file('root.pem', certPem(root));
    const d = await PDFDocument.create();
    d.addPage().drawText('Agreement');
    pdf = Buffer.from(await d.save({ useObjectStreams: false }));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cred = (k: 'p256' | 'rsa2048' = 'p256') => t.demo.credentials[k];
  /** A CSC call as the demo signer. */
  const post = (path: string, body: unknown) => t.post(path, body, t.token);
  const ALGO = { p256: OIDS.ecdsaSha256, rsa2048: OIDS.sha256WithRSA } as const;

  /** credentials/authorize for these digests, then signDoc with `body` (credentialID, SAD added). */
  async function signDoc(digests: Buffer[], body: Record<string, unknown>, k: 'p256' | 'rsa2048' = 'p256') {
    const a = await post('credentials/authorize', authorizeBody(cred(k), t.demo.pin, digests));
    expect(a.status).toBe(200);
    return post('signatures/signDoc', { credentialID: cred(k), SAD: a.json.SAD, ...body });
  }
  const doc = (document: Buffer, fields: Record<string, unknown>, k: 'p256' | 'rsa2048' = 'p256') => ({
    documents: [{ document: b64(document), signAlgo: ALGO[k], ...fields }],
  });

  it('FMT-1 signDoc CAdES attached and detached: openssl cms -verify accepts both against the root', async () => {
    const attached = await signDoc([sha256(TEXT)], doc(TEXT, { signature_format: 'C' }));
    expect(attached.status).toBe(200);
    const cms = Buffer.from(attached.json.DocumentWithSignature[0], 'base64');
    const v = run('openssl', [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      file('a.p7m', cms),
      '-CAfile',
      join(dir, 'root.pem'),
      '-purpose',
      'any',
    ]);
    expect(v.out).toContain('Verification successful');
    expect(v.out).toContain('contract text');

    const detached = await signDoc(
      [sha256(TEXT)],
      doc(TEXT, { signature_format: 'C', signed_envelope_property: 'Detached', conformance_level: 'AdES-B-T' }),
    );
    expect(detached.status).toBe(200);
    const sig = Buffer.from(detached.json.SignatureObject[0], 'base64');
    const d = run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      file('d.p7s', sig),
      '-content',
      file('t.txt', TEXT),
      '-CAfile',
      join(dir, 'root.pem'),
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]);
    expect(d.out).toContain('Verification successful');
    // B-T: the signature time-stamp of the built-in TSA is in the unsigned attributes.
    expect(run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(dir, 'd.p7s')]).out).toContain(
      'id-smime-aa-timeStampToken',
    );
  });

  it('FMT-1 signDoc PAdES B-LT: pdfsig says valid, qpdf --check is clean, the DSS is added; validationInfo returned', async () => {
    const r = await signDoc([sha256(pdf)], {
      ...doc(pdf, { signature_format: 'P', conformance_level: 'Ades-B-LT' }),
      returnValidationInfo: true,
    });
    expect(r.status).toBe(200);
    const signed = Buffer.from(r.json.DocumentWithSignature[0], 'base64');
    expect(signed.subarray(0, pdf.length).equals(pdf)).toBe(true);
    expect(signed.includes('/DSS')).toBe(true);
    expect(r.json.validationInfo.ocsp.length).toBeGreaterThan(0);
    expect(r.json.validationInfo.certificates.length).toBeGreaterThan(0);
    if (has('pdfsig')) expect(run('pdfsig', [file('s.pdf', signed)]).out).toContain('Signature is Valid');
    if (has('qpdf')) expect(run('qpdf', ['--check', file('s.pdf', signed)]).ok).toBe(true);
  });

  it.each(['Enveloped', 'Enveloping'])(
    'FMT-1 signDoc XAdES %s B-T: xmlsec1 accepts it against the root',
    async (envelope) => {
      const r = await signDoc(
        [sha256(XML)],
        doc(XML, { signature_format: 'X', signed_envelope_property: envelope, conformance_level: 'Ades-B-T' }),
      );
      expect(r.status).toBe(200);
      const signed = Buffer.from(r.json.DocumentWithSignature[0], 'base64');
      expect(signed.toString()).toContain('SignatureTimeStamp');
      if (!has('xmlsec1')) return;
      const x = run('xmlsec1', [
        '--verify',
        '--trusted-der',
        file('root.der', root),
        '--id-attr:Id',
        'http://uri.etsi.org/01903/v1.3.2#:SignedProperties',
        '--id-attr:Id',
        'http://www.w3.org/2000/09/xmldsig#:Object',
        file('s.xml', signed),
      ]);
      expect(x.out).toContain('OK');
      expect(x.ok).toBe(true);
    },
  );

  it('FMT-1 signDoc JAdES compact (B-B) and detached JSON (B-T): jose verifies them with the certificate key', async () => {
    const r = await signDoc([sha256(TEXT)], doc(TEXT, { signature_format: 'J' }, 'rsa2048'), 'rsa2048');
    expect(r.status).toBe(200);
    const jws: string = Buffer.from(r.json.DocumentWithSignature[0], 'base64').toString();
    const header = jose.decodeProtectedHeader(jws);
    const key = createPublicKey(
      new X509Certificate(Buffer.from(header.x5c?.[0] as string, 'base64')).publicKey.export({
        format: 'pem',
        type: 'spki',
      }),
    );
    const v = await jose.compactVerify(jws, key, { crit: { sigT: true } });
    expect(Buffer.from(v.payload).equals(TEXT)).toBe(true);

    const d = await signDoc(
      [sha256(TEXT)],
      doc(
        TEXT,
        { signature_format: 'J', signed_envelope_property: 'Detached', conformance_level: 'Ades-B-T' },
        'rsa2048',
      ),
      'rsa2048',
    );
    expect(d.status).toBe(200);
    const json = JSON.parse(Buffer.from(d.json.SignatureObject[0], 'base64').toString());
    expect(json.header.etsiU.length).toBe(1);
    await jose.flattenedVerify({ ...json, payload: '' }, key, { crit: { sigT: true, sigD: true } });
  });

  it('FMT-1 signDoc documentDigests: one detached CAdES per hash, verified by openssl against the content', async () => {
    const a = Buffer.from('first'),
      c = Buffer.from('second');
    const r = await signDoc([sha256(a), sha256(c)], {
      documentDigests: [
        {
          hashes: [b64(sha256(a)), b64(sha256(c))],
          hashAlgorithmOID: OIDS.sha256,
          signAlgo: OIDS.ecdsaSha256,
          signature_format: 'C',
          signed_envelope_property: 'Detached',
        },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.SignatureObject).toHaveLength(2);
    for (const [i, content] of [a, c].entries()) {
      const v = run('openssl', [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        file(`dd${i}.p7s`, Buffer.from(r.json.SignatureObject[i], 'base64')),
        '-content',
        file(`dd${i}.txt`, content),
        '-CAfile',
        join(dir, 'root.pem'),
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      ]);
      expect(v.out).toContain('Verification successful');
    }
  });

  it('FMT-1 signDoc: a document of several megabytes travels in base64 and is signed (no regex or stack limit on the way)', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 0x61);
    const r = await signDoc([sha256(big)], doc(big, { signature_format: 'C', signed_envelope_property: 'Detached' }));
    expect(r.status).toBe(200);
    const v = run('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      file('big.p7s', Buffer.from(r.json.SignatureObject[0], 'base64')),
      '-content',
      file('big.bin', big),
      '-CAfile',
      join(dir, 'root.pem'),
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ]);
    expect(v.out).toContain('Verification successful');
  });

  it('FMT-1 signDoc: the SAD binds the documents — another document is refused and nothing is signed', async () => {
    const r = await signDoc([sha256(Buffer.from('authorised'))], doc(TEXT, { signature_format: 'C' }));
    expect(r.status).toBe(400);
    expect(r.json.error_description).toBe('documentDigests or documents are not authorized by the SAD');
  });

  it('FMT-1 signDoc: a malformed PDF is refused before the SAD is spent; the same SAD then signs a good one', async () => {
    const a = await post('credentials/authorize', authorizeBody(cred(), t.demo.pin, [sha256(pdf)]));
    const bad = Buffer.from('%PDF-1.7\nnot really');
    const refused = await post('signatures/signDoc', {
      credentialID: cred(),
      SAD: a.json.SAD,
      ...doc(bad, { signature_format: 'P' }),
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_request');
    const ok = await post('signatures/signDoc', {
      credentialID: cred(),
      SAD: a.json.SAD,
      ...doc(pdf, { signature_format: 'P' }),
    });
    expect(ok.status).toBe(200);
  });

  it.each([
    [{ documents: [], documentDigests: [] }, 'Both documentDigests and documents parameters passed'],
    [{ documents: [] }, 'Empty documentDigests and documents objects'],
    [doc(TEXT, { signature_format: 'Q' }), 'Invalid parameter signature_format'],
    [doc(TEXT, { signature_format: 'C', conformance_level: 'Ades-B-X' }), 'Invalid parameter conformance_level'],
    [
      doc(TEXT, { signature_format: 'P', signed_envelope_property: 'Certification' }),
      'Invalid parameter signed_envelope_property',
    ],
    [
      doc(TEXT, { signature_format: 'C', signed_props: [{ attribute_name: 'signer-location' }] }),
      'Invalid parameter signed_props',
    ],
    [
      { documentDigests: [{ hashes: [b64(sha256(TEXT))], signAlgo: OIDS.ecdsaSha256, signature_format: 'X' }] },
      'Invalid parameter signature_format',
    ],
    [
      { documents: [{ document: '%%%', signAlgo: OIDS.ecdsaSha256, signature_format: 'C' }] },
      'Invalid parameter document',
    ],
  ])('FMT-1 signDoc §2 errors: %j → %s', async (body, description) => {
    const r = await signDoc([sha256(TEXT)], body);
    expect(r.status).toBe(400);
    expect(r.json.error_description).toBe(description);
  });

  it('FMT-1 signDoc: info lists the formats, envelope properties and levels it offers', async () => {
    const info = await post('info', {});
    expect(info.json.methods).toEqual(expect.arrayContaining(['signatures/signDoc', 'signatures/timestamp']));
    expect(info.json.signature_formats.formats).toEqual(['C', 'X', 'P', 'J']);
    expect(info.json.signature_formats.envelope_properties[2]).toEqual(['Revision']);
    expect(info.json.conformance_levels).toContain('Ades-B-LTA');
  });

  it.each([
    ['C', 'Attached', TEXT],
    ['P', 'Revision', undefined],
    ['X', 'Enveloped', XML],
    ['J', 'Attached', TEXT],
  ] as const)(
    'FMT-1 %s/%s B-B: signDoc and client-side prepare → signHash → finish give the same bytes for the same input and time',
    async (format, envelope, input) => {
      const document = input ?? pdf;
      const fields = { signature_format: format, signed_envelope_property: envelope };
      const server = await signDoc([sha256(document)], doc(document, fields, 'rsa2048'), 'rsa2048');
      expect(server.status).toBe(200);

      // The client side, as `shomei sign` does it: the chain from credentials/info, the structure
      // prepared locally, its digest authorised and signed by signHash (RSA PKCS#1 v1.5 is deterministic).
      const info = await post('credentials/info', { credentialID: cred('rsa2048'), certificates: 'chain' });
      const chain = (info.json.cert.certificates as string[]).map((c) => Buffer.from(c, 'base64'));
      const signer = {
        chain,
        hash: 'SHA-256' as const,
        signAlgo: OIDS.sha256WithRSA,
        signingTime: new Date(clock.now()),
      };
      const p = await prepareDocument(document, signer, documentFormat(fields), {});
      const a = await post(
        'credentials/authorize',
        authorizeBody(cred('rsa2048'), t.demo.pin, [Buffer.from(p.digest)]),
      );
      const s = await post('signatures/signHash', {
        credentialID: cred('rsa2048'),
        SAD: a.json.SAD,
        hashes: [b64(Buffer.from(p.digest))],
        signAlgo: OIDS.sha256WithRSA,
      });
      const client = Buffer.from(await p.finish(Buffer.from(s.json.signatures[0], 'base64')));
      expect(client.equals(Buffer.from(server.json.DocumentWithSignature[0], 'base64'))).toBe(true);
    },
  );

  it('FMT-1 signDoc: each signature is logged with the document digest and format (LOG-1)', async () => {
    const rows = await t.app.store.db.selectFrom('audit_leaves').select('data').execute();
    const entries = rows.map(
      (r) => JSON.parse(Buffer.from(r.data as Uint8Array).toString()) as Record<string, unknown>,
    );
    const logged = entries.filter((e) => e.type === 'signature.create' && e.signatureFormat === 'P');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.some((e) => e.documentHash === sha256(pdf).toString('base64'))).toBe(true);
  });
});

describe('TSA-1 signDoc with an external TSA', () => {
  it('TSA-1: with tsa.externalUrl, signDoc B-T time-stamps at that TSA (RFC 3161 over HTTP), chained to its configured anchor', async () => {
    const other = await startApp({ demo: false });
    const dir = mkdtempSync(join(tmpdir(), 'shomei-ext-tsa-'));
    try {
      const url = await other.listen();
      const anchor = join(dir, 'other-root.pem');
      writeFileSync(anchor, certPem(((await other.app.ca.authorities())[0] as CaAuthority).certificate));
      const t = await startApp({ config: { tsa: { externalUrl: `${url}/tsa`, externalAnchors: [anchor] } } });
      try {
        const cred = t.demo.credentials.p256;
        const a = await t.post('credentials/authorize', authorizeBody(cred, t.demo.pin, [sha256(TEXT)]), t.token);
        const r = await t.post(
          'signatures/signDoc',
          {
            credentialID: cred,
            SAD: a.json.SAD,
            documents: [
              { document: b64(TEXT), signAlgo: OIDS.ecdsaSha256, signature_format: 'C', conformance_level: 'Ades-B-T' },
            ],
          },
          t.token,
        );
        expect(r.status).toBe(200);
        // The token was issued (and logged) by the other service's TSA, not by this one's.
        const issued = await other.app.store.db.selectFrom('tsa_tokens').select('serial').execute();
        expect(issued).toHaveLength(1);
        expect(await t.app.store.db.selectFrom('tsa_tokens').select('serial').execute()).toHaveLength(0);
      } finally {
        await t.close();
      }
    } finally {
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
