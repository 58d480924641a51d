import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointText, parseCheckpoint } from '../src/audit/checkpoint.js';
import {
  ed25519NoteSigner,
  ed25519PrivateKeyFromSeed,
  openNote,
  parseVerifierKey,
  signNote,
} from '../src/audit/note.js';

// golang.org/x/mod/sumdb/note test vector: an independent implementation of signed-note.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

function goSigner() {
  const seed = Buffer.from(GO_SKEY.split('+').slice(4).join('+'), 'base64').subarray(1);
  return ed25519NoteSigner('PeterNeumann', ed25519PrivateKeyFromSeed(seed));
}

describe('audit/note (C2SP signed-note, tlog-checkpoint)', () => {
  it('LOG-2: signs the Go sumdb/note vector byte for byte and derives its verifier key', async () => {
    const signer = goSigner();
    expect(signer.verifierKey).toBe(GO_VKEY);
    expect(await signNote(GO_TEXT, signer)).toBe(GO_NOTE);
  });

  it('LOG-2: opens the Go vector and refuses a tampered text or signature', () => {
    const key = parseVerifierKey(GO_VKEY);
    expect(openNote(GO_NOTE, key)).toBe(GO_TEXT);
    expect(() => openNote(GO_NOTE.replace('cryptography', 'cryptographY'), key)).toThrow(/invalid signature/);
    expect(() => openNote(GO_NOTE.replace('x08go', 'x08gp'), key)).toThrow();
    expect(() => openNote(GO_TEXT, key)).toThrow();
  });

  it('LOG-2: refuses a note signed by another key of the same name', async () => {
    const other = ed25519NoteSigner('PeterNeumann', generateKeyPairSync('ed25519').privateKey);
    const forged = await signNote(GO_TEXT, other);
    expect(() => openNote(forged, parseVerifierKey(GO_VKEY))).toThrow(/no signature by the log key/);
  });

  it('LOG-2: rejects malformed verifier keys', () => {
    expect(() => parseVerifierKey(GO_VKEY.replace('c74f20a3', 'c74f20a4'))).toThrow();
    expect(() => parseVerifierKey('PeterNeumann+c74f20a3')).toThrow();
    expect(() => parseVerifierKey(GO_VKEY.replace('+ARpc', '+Anpc'))).toThrow();
  });

  it('LOG-2: a checkpoint round-trips through a signed note, with its time extension line', async () => {
    const signer = ed25519NoteSigner('shomei.test/log', generateKeyPairSync('ed25519').privateKey);
    const cp = { origin: 'shomei.test/log', size: 42, root: Buffer.alloc(32, 7), time: 1_767_225_600_000 };
    const text = checkpointText(cp);
    expect(text).toBe(`shomei.test/log\n42\n${Buffer.alloc(32, 7).toString('base64')}\ntime 1767225600000\n`);
    const note = await signNote(text, signer);
    expect(parseCheckpoint(openNote(note, parseVerifierKey(signer.verifierKey)))).toEqual(cp);
    expect(() => parseCheckpoint(text.replace('\n42\n', '\n042\n'))).toThrow();
    expect(() => parseCheckpoint(text.replace(/time .*\n/, ''))).toThrow();
  });
});
