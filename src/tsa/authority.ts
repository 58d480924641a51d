/**
 * The time-stamping authority (TSA-1, RFC 3161) as a pipeline: decode → check → stamp (TSTInfo,
 * token, record, log) → respond. `issue` answers any bytes with a TimeStampResp and never throws —
 * a refusal or an internal failure is a status inside (§2.4.2), not an HTTP error. `stamp` is the
 * typed entry for callers that validated their input already (CSC signatures/timestamp, the
 * in-process TimestampSource) and fails with catalogue errors.
 */
import type { AuditSink } from '../audit/event.js';
import type { LocalCa } from '../ca/index.js';
import { ShomeiError } from '../errors.js';
import type { KeyService } from '../keys/index.js';
import type { Clock, Random } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { checkRequest, type StampRequest } from './check.js';
import { TsaRefusal } from './failure.js';
import { createTsaIdentities, type TsaIdentity } from './identity.js';
import { recordToken, type TokenRecord } from './records.js';
import { decodeTimeStampReq } from './request.js';
import { grantedResponse, rejectionResponse } from './response.js';
import { signToken } from './token.js';
import { encodeTstInfo, genTimeFor } from './tst-info.js';

export interface TsaDeps {
  readonly store: Store;
  readonly keys: KeyService;
  readonly ca: LocalCa;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly random: Random;
  /** TSTInfo.policy. */
  readonly policyOid: string;
  readonly accuracyMs: number;
  readonly subjectDn: string;
  /** Told of internal failures answered with systemFailure (the response says nothing more). */
  readonly onError?: (err: unknown, context: string) => void;
}

export interface Tsa {
  readonly policyOid: string;
  /** A DER TimeStampReq → a DER TimeStampResp (granted or rejection); never throws. */
  issue(request: Uint8Array, actor?: string): Promise<Buffer>;
  /** A token (DER ContentInfo) for a checked request; ShomeiError or the key service's error on failure. */
  stamp(req: StampRequest): Promise<Uint8Array>;
  /** The TSA's certificate chain now: [TSA, issuing CA, root], DER. */
  certificates(): Promise<readonly Buffer[]>;
  /** CA-2 status change listener: a revoked TSA certificate stops being used at once. */
  statusChanged(serial: string): void;
}

/** ≥ 64 random bits (here 126) in a positive, minimal INTEGER of 16 octets. */
function newSerial(random: Random): Uint8Array {
  const b = new Uint8Array(random.bytes(16));
  b[0] = ((b[0] as number) & 0x3f) | 0x40;
  return b;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function createTsa(deps: TsaDeps): Tsa {
  const { store, keys, clock, random, audit } = deps;
  const identities = createTsaIdentities({ ca: deps.ca, keys, clock, subjectDn: deps.subjectDn });

  /** One token with a fresh serial and the current time, and its record. */
  async function signOnce(
    req: StampRequest,
    identity: TsaIdentity,
  ): Promise<{ token: Uint8Array; record: TokenRecord }> {
    const serial = newSerial(random);
    const genTime = genTimeFor(clock.now(), deps.accuracyMs);
    const tstInfo = encodeTstInfo({
      policy: deps.policyOid,
      hashOid: req.hash.oid,
      hashedMessage: req.digest,
      serial,
      genTime,
      accuracyMs: deps.accuracyMs,
      ...(req.nonce ? { nonce: req.nonce } : {}),
      tsaCertificate: identity.chain[0] as Buffer,
    });
    const token = await signToken(keys, identity, tstInfo, genTime, req.certReq);
    const record = { serial: hex(serial), genTime, policy: deps.policyOid, hashOid: req.hash.oid };
    return { token, record: { ...record, imprint: req.digest, keyId: identity.keyId, actor: req.actor } };
  }

  /** If signing fails (the key retired or revoked meanwhile), the identity is found again and signing retried once. */
  function sign(req: StampRequest): Promise<{ token: Uint8Array; record: TokenRecord; identity: TsaIdentity }> {
    return identities.use(async (identity) => ({ ...(await signOnce(req, identity)), identity }));
  }

  async function stamp(req: StampRequest): Promise<Uint8Array> {
    if (req.digest.length !== req.hash.length) throw new ShomeiError('invalid_digest_length');
    for (let attempt = 0; attempt < 3; attempt++) {
      const { token, record, identity } = await sign(req);
      if (!(await recordToken(store, record))) continue;
      // Released only once logged (LOG-3): a token the log does not know of never leaves.
      await audit.append({
        type: 'tsa.token',
        actor: req.actor,
        outcome: 'success',
        serial: record.serial,
        genTime: new Date(record.genTime).toISOString(),
        policy: record.policy,
        hashAlgorithm: record.hashOid,
        imprint: hex(record.imprint),
        keyId: identity.keyId,
        tsaCertificateSerial: identity.serial,
      });
      return token;
    }
    throw new Error('no unused serial number after 3 attempts');
  }

  return {
    policyOid: deps.policyOid,
    async issue(request, actor = 'anonymous') {
      try {
        const checked = checkRequest(decodeTimeStampReq(request), deps.policyOid, actor);
        return grantedResponse(await stamp(checked));
      } catch (e) {
        if (e instanceof TsaRefusal) return rejectionResponse(e.failInfo, e.message);
        deps.onError?.(e, 'time-stamp token not issued');
        return rejectionResponse('systemFailure', 'the time-stamp could not be issued');
      }
    },
    stamp,
    async certificates() {
      return (await identities.current()).chain;
    },
    statusChanged: (serial) => identities.statusChanged(serial),
  };
}
