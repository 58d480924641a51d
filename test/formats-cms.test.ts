/**
 * FMT-1: the CMS core (RFC 5652) under CAdES and PAdES, checked with `openssl cms -verify` (the
 * independent oracle) and with pkijs for the ESS signing-certificate-v2 attribute (RFC 5035).
 */
import { createHash } from 'node:crypto';
import { ContentInfo, SignedData } from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShomeiError } from '../src/errors.js';
import {
  addUnsignedAttribute,
  attribute,
  attributesOf,
  CMS_OID,
  contentOf,
  oid,
  prepareCms,
  readSignedData,
  signatureValueOf,
  signedAttrsField,
  TAG,
  tlv,
  unsignedAttrsField,
} from '../src/formats/cms/index.js';
import { cmsVerify, type TestSigner, testSigner } from './formats-support.js';
import { OIDS, startApp, type TestApp } from './support/app.js';

const PSS = '1.2.840.113549.1.1.10';
const content = Buffer.from('shomei CMS test content\n');
const digest = createHash('sha256').update(content).digest();

/** openssl cms -verify against the signer's root, with the content for a detached signature. */
const verify = (cms: Uint8Array, root: Buffer, detached: boolean) =>
  cmsVerify(cms, root, detached ? content : undefined);

describe('FMT-1 CMS core', () => {
  let t: TestApp;
  let signers: Record<'ec' | 'rsa' | 'pss', TestSigner>;

  beforeAll(async () => {
    t = await startApp({ demo: false });
    signers = {
      ec: await testSigner(t.app, 'EC-P256', OIDS.ecdsaSha256),
      rsa: await testSigner(t.app, 'RSA-2048', OIDS.sha256WithRSA),
      pss: await testSigner(t.app, 'RSA-2048', PSS),
    };
  });
  afterAll(async () => t?.close());

  async function sign(s: TestSigner, attached: boolean, signingTime = true): Promise<Uint8Array> {
    const p = prepareCms({
      signer: s.signer,
      contentType: CMS_OID.data,
      ...(attached ? { content } : {}),
      contentDigest: digest,
      signingTimeAttribute: signingTime,
    });
    return p.assemble(await s.sign(p.digest));
  }

  for (const kind of ['ec', 'rsa', 'pss'] as const) {
    for (const attached of [true, false]) {
      it(`FMT-1 CMS ${kind} ${attached ? 'attached' : 'detached'}: openssl cms -verify accepts it`, async () => {
        const s = signers[kind];
        const cms = await sign(s, attached);
        const r = verify(cms, s.root, !attached);
        expect(r.out).toContain('Verification successful');
        expect(r.ok).toBe(true);
      });
    }
  }

  it('FMT-1 CMS: signed attributes are DER-sorted, with ESSCertIDv2 = SHA-256 of the signer certificate', async () => {
    const s = signers.ec;
    const cms = await sign(s, false);
    const v = readSignedData(cms);
    const attrs = attributesOf(cms, signedAttrsField(v));
    expect(attrs.map((a) => a.type).sort()).toEqual(
      [CMS_OID.contentType, CMS_OID.messageDigest, CMS_OID.signingCertificateV2, CMS_OID.signingTime].sort(),
    );
    const encoded = attrs.map((a) => Buffer.from(cms.subarray(a.tlv.start, a.tlv.end)));
    expect([...encoded].sort(Buffer.compare)).toEqual(encoded);
    // pkijs reads the same structure independently.
    const sd = new SignedData({ schema: ContentInfo.fromBER(cms).content });
    const sca = sd.signerInfos[0]?.signedAttrs?.attributes.find((a) => a.type === CMS_OID.signingCertificateV2);
    const ess = sca?.values[0]?.valueBlock.value[0].valueBlock.value[0];
    const certHash = Buffer.from(ess.valueBlock.value[0].valueBlock.valueHexView);
    expect(certHash).toEqual(
      createHash('sha256')
        .update(s.signer.chain[0] as Uint8Array)
        .digest(),
    );
    expect(ess.valueBlock.value).toHaveLength(2); // hashAlgorithm is the DEFAULT (SHA-256): omitted
    const md = attrs.find((a) => a.type === CMS_OID.messageDigest)?.values[0];
    expect(Buffer.from(contentOf(cms, md as never))).toEqual(digest);
  });

  it('FMT-1 CMS: PAdES mode has no signing-time; an unsigned attribute keeps the signature valid', async () => {
    const s = signers.rsa;
    const cms = await sign(s, false, false);
    const types = attributesOf(cms, signedAttrsField(readSignedData(cms))).map((a) => a.type);
    expect(types).not.toContain(CMS_OID.signingTime);
    const value = Uint8Array.of(0x04, 0x03, 1, 2, 3);
    const extended = addUnsignedAttribute(addUnsignedAttribute(cms, '1.2.3.4', [value]), '1.2.3.5', [value]);
    const unsigned = unsignedAttrsField(readSignedData(extended));
    expect(attributesOf(extended, unsigned as never).map((a) => a.type)).toEqual(['1.2.3.4', '1.2.3.5']);
    expect(signatureValueOf(extended)).toEqual(signatureValueOf(cms));
    expect(verify(extended, s.root, true).ok).toBe(true);
  });

  it('FMT-1 CMS bad input: wrong digest length, wrong content digest, garbage CMS → catalogue errors', () => {
    const base = { signer: signers.ec.signer, contentType: CMS_OID.data, signingTimeAttribute: true };
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof ShomeiError ? e.code : 'not a ShomeiError';
      }
      return 'no error';
    };
    expect(code(() => prepareCms({ ...base, contentDigest: new Uint8Array(20) }))).toBe('invalid_digest_length');
    expect(code(() => prepareCms({ ...base, content, contentDigest: new Uint8Array(32) }))).toBe('invalid_parameter');
    expect(
      code(() =>
        prepareCms({ ...base, signer: { ...base.signer, hash: 'SHA-384' }, contentDigest: new Uint8Array(48) }),
      ),
    ).toBe('hash_algorithm_contradicts');
    expect(code(() => signatureValueOf(Uint8Array.of(0x30, 0x03, 0x02, 0x01)))).toBe('cms_malformed');
    expect(code(() => addUnsignedAttribute(Buffer.from('garbage'), '1.2.3', []))).toBe('cms_malformed');
  });

  it('FMT-1 CMS: an extra signed attribute (commitment-type-indication) is signed; a repeated type is refused', async () => {
    const s = signers.ec;
    // EN 319 122-1 §5.2.3: CommitmentTypeIndication ::= SEQUENCE { commitmentTypeId (proof of origin) }
    const cti = attribute(CMS_OID.commitmentTypeIndication, [tlv(TAG.sequence, oid('1.2.840.113549.1.9.16.6.1'))]);
    const base = { signer: s.signer, contentType: CMS_OID.data, contentDigest: digest, signingTimeAttribute: true };
    const p = prepareCms({ ...base, extraSignedAttributes: [cti] });
    const cms = p.assemble(await s.sign(p.digest));
    expect(verify(cms, s.root, true).ok).toBe(true);
    const types = attributesOf(cms, signedAttrsField(readSignedData(cms))).map((a) => a.type);
    expect(types).toContain(CMS_OID.commitmentTypeIndication);
    const again = attribute(CMS_OID.contentType, [oid(CMS_OID.data)]);
    expect(() => prepareCms({ ...base, extraSignedAttributes: [again] })).toThrow(ShomeiError);
  });
});
