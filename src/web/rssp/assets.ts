/**
 * The pages' only static files, served from memory with a content hash as ETag. The script does
 * the WebAuthn ceremonies and nothing else; every other step is a plain HTML form.
 */
import { createHash } from 'node:crypto';

const CSS = `
:root { color-scheme: light dark; --accent: #1f5fbf; --error: #b00020; font-family: system-ui, sans-serif; }
body { margin: 0; line-height: 1.5; }
main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
header .service { margin: 0; color: GrayText; }
h1 { margin-top: 0.2rem; }
label { display: block; margin-top: 0.8rem; font-weight: 600; }
input { display: block; width: 100%; box-sizing: border-box; padding: 0.5rem; font-size: 1rem; }
button { margin-top: 1rem; padding: 0.6rem 1.2rem; font-size: 1rem; cursor: pointer; }
button:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
form.secondary button { background: none; border: 1px solid GrayText; }
.error { color: var(--error); font-weight: 600; }
.ok { color: green; font-weight: 600; }
.hint { margin: 0; font-size: 0.9rem; color: GrayText; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
caption { text-align: left; font-weight: 600; }
th, td { border: 1px solid GrayText; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
code.hash { word-break: break-all; font-size: 0.85rem; }
.code { border: 2px solid var(--accent); padding: 0.5rem 1rem; margin: 1rem 0; }
.code h2 { margin: 0; font-size: 1rem; }
.digits { font-size: 2.5rem; letter-spacing: 0.5rem; font-weight: 700; margin: 0.2rem 0; }
dt { font-weight: 600; } dd { margin: 0 0 0.5rem 0; }
.id { color: GrayText; font-size: 0.85rem; }
`;

const JS = `'use strict';
(() => {
  const b64u = {
    decode: (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer,
    encode: (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''),
  };
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const post = async (path, body) => {
    const r = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    const json = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(json.error_description || 'The request failed');
    return json;
  };
  const show = (id, text) => { const e = document.getElementById(id); e.textContent = text; e.hidden = false; };
  const credentialsOf = (list) => (list || []).map((c) => ({ ...c, id: b64u.decode(c.id) }));
  const assertion = (cred) => ({
    id: cred.id, rawId: b64u.encode(cred.rawId), type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response: {
      clientDataJSON: b64u.encode(cred.response.clientDataJSON),
      authenticatorData: b64u.encode(cred.response.authenticatorData),
      signature: b64u.encode(cred.response.signature),
      userHandle: cred.response.userHandle ? b64u.encode(cred.response.userHandle) : undefined,
    },
  });
  const attestation = (cred) => ({
    id: cred.id, rawId: b64u.encode(cred.rawId), type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response: {
      clientDataJSON: b64u.encode(cred.response.clientDataJSON),
      attestationObject: b64u.encode(cred.response.attestationObject),
      transports: cred.response.getTransports ? cred.response.getTransports() : [],
    },
  });
  async function getAssertion(purpose) {
    const o = await post('/rssp/webauthn/options', { purpose });
    const publicKey = { ...o, challenge: b64u.decode(o.challenge), allowCredentials: credentialsOf(o.allowCredentials) };
    const cred = await navigator.credentials.get({ publicKey });
    const done = await post('/rssp/webauthn/' + purpose, { response: assertion(cred) });
    location.assign(done.redirect);
  }
  async function register() {
    const code = document.getElementById('enrolment-code').value;
    const label = document.getElementById('key-label').value;
    const o = await post('/rssp/register/options', { code });
    const publicKey = {
      ...o, challenge: b64u.decode(o.challenge),
      user: { ...o.user, id: b64u.decode(o.user.id) },
      excludeCredentials: credentialsOf(o.excludeCredentials),
    };
    const cred = await navigator.credentials.create({ publicKey });
    const done = await post('/rssp/register/finish', { code, label, response: attestation(cred) });
    show('webauthn-ok', done.message);
  }
  for (const button of document.querySelectorAll('[data-webauthn]')) {
    button.addEventListener('click', () => {
      const what = button.dataset.webauthn;
      document.getElementById('webauthn-error').hidden = true;
      button.disabled = true;
      (what === 'register' ? register() : getAssertion(what))
        .catch((e) => show('webauthn-error', e.name === 'NotAllowedError' ? 'The security key was not used (cancelled or timed out).' : e.message))
        .finally(() => { button.disabled = false; });
    });
  }
})();
`;

export interface Asset {
  readonly body: string;
  readonly type: string;
  readonly etag: string;
}

const asset = (body: string, type: string): Asset => ({
  body,
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
});

export const ASSETS: Readonly<Record<string, Asset>> = {
  'rssp.css': asset(CSS, 'text/css; charset=utf-8'),
  'webauthn.js': asset(JS, 'text/javascript; charset=utf-8'),
};
