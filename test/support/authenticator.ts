/**
 * A software WebAuthn authenticator for Node tests (W3C WebAuthn L2 §6): P-256 keys, 'none'
 * attestation, a signature counter, and switches to misbehave (another origin, no user
 * verification, a counter going backwards). The browser test uses Chromium's virtual
 * authenticator instead; this one lets the server's checks be tested one by one.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();
const b64u = (b: Buffer) => b.toString('base64url');

/** Minimal CBOR (RFC 8949) for maps of int/text keys to ints, text, bytes and maps. */
type Cbor = number | string | Buffer | Map<number | string, Cbor>;
function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  const b = Buffer.alloc(3);
  b[0] = (major << 5) | 25;
  b.writeUInt16BE(n, 1);
  return b;
}
function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
  if (Buffer.isBuffer(v)) return Buffer.concat([head(2, v.length), v]);
  const parts = [head(5, v.size)];
  for (const [k, x] of v) parts.push(cbor(k), cbor(x));
  return Buffer.concat(parts);
}

export interface AuthenticatorOptions {
  readonly origin: string;
  readonly rpId: string;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly key: KeyObject;
  readonly publicKey: KeyObject;
  counter = 0;
  userHandle: Buffer | undefined;
  /** Misbehaviour switches. */
  origin: string;
  rpId: string;
  userVerified = true;

  constructor(opts: AuthenticatorOptions) {
    const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = kp.privateKey;
    this.publicKey = kp.publicKey;
    this.origin = opts.origin;
    this.rpId = opts.rpId;
  }

  private flags(extra: number): Buffer {
    return Buffer.from([0x01 | (this.userVerified ? 0x04 : 0) | extra]);
  }

  private counterBytes(): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(this.counter);
    return b;
  }

  private clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }

  /** navigator.credentials.create() → RegistrationResponseJSON. */
  // biome-ignore lint/suspicious/noExplicitAny: options are the server's JSON
  register(options: any): Record<string, unknown> {
    this.userHandle = Buffer.from(options.user.id, 'base64url');
    const jwk = this.publicKey.export({ format: 'jwk' });
    const cose = new Map<number, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x as string, 'base64url')],
      [-3, Buffer.from(jwk.y as string, 'base64url')],
    ]);
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(this.rpId),
      this.flags(0x40),
      this.counterBytes(),
      Buffer.alloc(16),
      idLen,
      this.credentialId,
      cbor(cose),
    ]);
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: b64u(this.credentialId),
      rawId: b64u(this.credentialId),
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(this.clientData('webauthn.create', options.challenge)),
        attestationObject: b64u(attestationObject),
        transports: ['usb'],
      },
    };
  }

  /** navigator.credentials.get() → AuthenticationResponseJSON; the counter moves first. */
  assert(challenge: string): Record<string, unknown> {
    this.counter += 1;
    const authData = Buffer.concat([sha256(this.rpId), this.flags(0), this.counterBytes()]);
    const clientDataJSON = this.clientData('webauthn.get', challenge);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.key);
    return {
      id: b64u(this.credentialId),
      rawId: b64u(this.credentialId),
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        ...(this.userHandle ? { userHandle: b64u(this.userHandle) } : {}),
      },
    };
  }
}
