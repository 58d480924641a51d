/**
 * A PKCS#11 signing child process (forked by process-pool.ts). It owns one PKCS#11 context — its
 * own C_Initialize, login and session pool, as Cryptoki requires per process (v2.40 §5.4, §2.6.7)
 * — and answers sign requests over IPC. It exits when the parent goes away (IPC disconnect), so a
 * crashed parent never leaves signers logged in to the token.
 */
import { systemRandom } from '../../platform/index.js';
import type { KeyStore } from '../keystore.js';
import { createPkcs11KeyStore } from './keystore.js';
import {
  asBuffer,
  type ChildInit,
  type ChildReply,
  type ChildRequest,
  fromWireHandle,
  fromWireSignature,
  toWireError,
} from './protocol.js';

let store: Promise<KeyStore> | undefined;
/** Requests being signed: C_Finalize must not pull sessions from under a C_Sign in progress. */
let inFlight = 0;
let drained: (() => void) | undefined;

/** Answers the parent; once it has gone (disconnect), answers are dropped rather than thrown. */
const reply = (m: ChildReply, then: () => void = () => undefined) => {
  if (process.connected) process.send?.(m, undefined, undefined, then);
  else then();
};

async function init(m: ChildInit): Promise<void> {
  store = createPkcs11KeyStore({
    modulePath: m.modulePath,
    tokenLabel: m.tokenLabel,
    pin: m.pin,
    random: systemRandom,
    sessions: m.sessions,
  });
  try {
    await store;
    reply({ type: 'ready' });
  } catch (e) {
    reply({ type: 'init-failed', error: toWireError(e) }, () => process.exit(1));
  }
}

async function handle(m: Exclude<ChildRequest, ChildInit>): Promise<void> {
  inFlight++;
  try {
    if (!store) throw new Error('sign request before init');
    const ks = await store;
    const signatures =
      m.type === 'sign'
        ? await ks.sign(fromWireHandle(m.handle), fromWireSignature(m.sig), m.digests.map(asBuffer))
        : [await ks.signMessage(fromWireHandle(m.handle), asBuffer(m.message))];
    reply({ type: 'result', id: m.id, signatures });
  } catch (e) {
    reply({ type: 'failed', id: m.id, error: toWireError(e) });
  } finally {
    if (--inFlight === 0) drained?.();
  }
}

/** Resolves when no request is being signed, or after `ms` (a hung token must not keep us alive). */
const drain = (ms: number) =>
  inFlight === 0
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        drained = resolve;
        setTimeout(resolve, ms).unref();
      });

process.on('message', (m: ChildRequest) => {
  if (m.type === 'init') void init(m);
  else void handle(m);
});

// The parent is gone (closed or crashed): finish what is being signed, log out, finalise, exit.
process.on('disconnect', () => {
  void drain(10_000)
    .then(() => store ?? Promise.reject())
    .then((ks) => ks.close())
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
