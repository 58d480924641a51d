/**
 * Pre-generated responses on disk (CA-2, seed 004): `<dir>/<issuerKeyHash hex>/<serial hex>.der`,
 * one DER OCSPResponse per certificate and CertID algorithm (the key hash differs per algorithm),
 * for a CDN origin or a web server to serve, and for this responder to reload after a restart.
 * Files are replaced atomically (write, then rename), so a reader never sees half a response.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  children,
  contentOf,
  ctx,
  encodingOf,
  expectTag,
  readGeneralizedTime,
  readWhole,
  TAG,
  type Tlv,
} from './der.js';
import type { Validity } from './response.js';

export interface ResponseDir {
  write(issuerKeyHash: Buffer, serial: string, der: Buffer): Promise<void>;
  read(issuerKeyHash: Buffer, serial: string): Promise<Buffer | undefined>;
  remove(issuerKeyHash: Buffer, serial: string): Promise<void>;
}

export function createResponseDir(root: string): ResponseDir {
  const made = new Set<string>();
  let counter = 0;
  // Both parts are lower-case hex (registry.ts serialHex), so a path cannot leave the directory.
  const folder = (issuerKeyHash: Buffer) => join(root, issuerKeyHash.toString('hex'));
  const file = (issuerKeyHash: Buffer, serial: string) => join(folder(issuerKeyHash), `${serial}.der`);
  return {
    async write(issuerKeyHash, serial, der) {
      const dir = folder(issuerKeyHash);
      if (!made.has(dir)) {
        await mkdir(dir, { recursive: true });
        made.add(dir);
      }
      const target = file(issuerKeyHash, serial);
      const tmp = `${target}.${process.pid}.${counter++}.tmp`;
      await writeFile(tmp, der);
      await rename(tmp, target);
    },
    async read(issuerKeyHash, serial) {
      try {
        return await readFile(file(issuerKeyHash, serial));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    remove: (issuerKeyHash, serial) => rm(file(issuerKeyHash, serial), { force: true }),
  };
}

export interface StoredSingle extends Validity {
  readonly certId: Buffer;
  readonly certStatus: Buffer;
}

/** Reads back the first SingleResponse of a response written by response.ts (throws DerError otherwise). */
export function readStoredSingle(der: Buffer): StoredSingle {
  const [status, bytes] = children(der, readWhole(der, TAG.sequence));
  if (contentOf(der, expectTag(status, TAG.enumerated))[0] !== 0) throw new Error('not successful');
  const [, octets] = children(der, only(der, expectTag(bytes, ctx(0))));
  const basic = only(der, expectTag(octets, TAG.octetString));
  const [tbs] = children(der, expectTag(basic, TAG.sequence));
  const [, , responses] = children(der, expectTag(tbs, TAG.sequence));
  const [single] = children(der, expectTag(responses, TAG.sequence));
  const [certId, certStatus, thisUpdate, next] = children(der, expectTag(single, TAG.sequence));
  if (!certStatus) throw new Error('no certStatus');
  return {
    certId: encodingOf(der, expectTag(certId, TAG.sequence)),
    certStatus: encodingOf(der, certStatus),
    thisUpdate: readGeneralizedTime(der, thisUpdate),
    nextUpdate: readGeneralizedTime(der, only(der, expectTag(next, ctx(0)))),
  };
}

/** The single TLV inside a wrapper (EXPLICIT tag or OCTET STRING holding DER). */
function only(buf: Buffer, wrapper: Tlv): Tlv {
  const inner = children(buf, wrapper);
  if (inner.length !== 1) throw new Error('expected one element');
  return inner[0] as Tlv;
}
