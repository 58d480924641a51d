/**
 * TimestampSource (formats/ports.ts) implementations: the built-in TSA called in-process, and an
 * external TSA over HTTP (RFC 3161 §3.4) whose every answer is checked before it is used — status,
 * the nonce we sent, the imprint, and the token's signature and signer (verify-token.ts).
 */
import { ShomeiError } from '../errors.js';
import type { TimestampSource } from '../formats/ports.js';
import { HASHES } from '../keys/index.js';
import { type Random, systemRandom } from '../platform/index.js';
import type { Tsa } from './authority.js';
import { encodeTimeStampReq } from './request.js';
import { decodeTimeStampResp, PKI_STATUS } from './response.js';
import { verifyToken } from './verify-token.js';

/** The built-in TSA as a TimestampSource: tokens with certificates, logged with this actor. */
export function inProcessTimestampSource(tsa: Tsa, actor = 'system'): TimestampSource {
  return {
    timestamp: (digest, hash) => tsa.stamp({ hash: HASHES[hash], digest, certReq: true, actor }),
  };
}

export interface HttpTimestampSourceOptions {
  readonly url: string;
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
  readonly timeoutMs: number;
  /** DER certificates the TSA's certificate must chain to (at genTime); none = not checked here. */
  readonly trustAnchors?: readonly Uint8Array[];
  readonly random?: Random;
}

/** Replies larger than this are not read (a token with a chain of three certificates is ~3 KB). */
const MAX_REPLY_BYTES = 64 * 1024;

async function post(o: HttpTimestampSourceOptions, body: Uint8Array): Promise<Uint8Array> {
  const doFetch = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body,
      signal: AbortSignal.timeout(o.timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    throw new ShomeiError(
      'tsa_unreachable',
      { detail: (e as Error).name === 'TimeoutError' ? 'timeout' : 'network error' },
      { cause: e },
    );
  }
  if (res.status !== 200) throw new ShomeiError('tsa_unreachable', { detail: `HTTP ${res.status}` });
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/timestamp-reply')
    throw new ShomeiError('tsa_response_invalid', { detail: `Content-Type ${type}` });
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.length > MAX_REPLY_BYTES) throw new ShomeiError('tsa_response_invalid', { detail: 'reply too large' });
  return bytes;
}

export function createHttpTimestampSource(o: HttpTimestampSourceOptions): TimestampSource {
  const random = o.random ?? systemRandom;
  return {
    async timestamp(digest, hashName) {
      const hash = HASHES[hashName];
      // 126 random bits in a positive, minimal INTEGER (RFC 3161 §2.4.1: matches the answer to this request).
      const nonce = new Uint8Array(random.bytes(16));
      nonce[0] = ((nonce[0] as number) & 0x3f) | 0x40;
      const request = encodeTimeStampReq({
        version: 1,
        hashOid: hash.oid,
        hashParams: 'absent',
        hashedMessage: digest,
        nonce,
        certReq: true,
        extensions: [],
      });
      let reply: ReturnType<typeof decodeTimeStampResp>;
      try {
        reply = decodeTimeStampResp(await post(o, request));
      } catch (e) {
        if (e instanceof ShomeiError) throw e;
        throw new ShomeiError('tsa_response_invalid', { detail: 'not a TimeStampResp' }, { cause: e });
      }
      if (reply.status !== PKI_STATUS.granted && reply.status !== PKI_STATUS.grantedWithMods) {
        const why = [`status ${reply.status}`, ...reply.failInfo, reply.text].filter(Boolean).join(', ');
        throw new ShomeiError('tsa_refused', { detail: why });
      }
      if (!reply.token) throw new ShomeiError('tsa_response_invalid', { detail: 'granted without a token' });
      await verifyToken(reply.token, {
        hash,
        digest,
        nonce,
        ...(o.trustAnchors ? { trustAnchors: o.trustAnchors } : {}),
      });
      return reply.token;
    },
  };
}
