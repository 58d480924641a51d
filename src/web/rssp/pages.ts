/** The RSSP's pages (WEB-1): small, server-rendered, labelled for assistive technology. */
import { AUTH_OBJECTS, isAuthObjectId } from '../../signing/index.js';
import type { ConsentView } from './authorize-flow.js';
import { type Html, html, page, trusted } from './html.js';

export interface PageContext {
  readonly serviceName: string;
  readonly csrf: string;
  readonly lang?: string;
  /** A message for the signer after a failed attempt (never says which secret was wrong). */
  readonly error?: string;
}

const alert = (message: string | undefined): Html | undefined =>
  message ? html`<p class="error" role="alert" id="form-error">${message}</p>` : undefined;

const header = (serviceName: string, title: string) =>
  html`<header><p class="service">${serviceName}</p><h1>${title}</h1></header>`;

export function loginPage(ctx: PageContext & { clientName: string }): string {
  const described = ctx.error ? 'form-error' : undefined;
  return page(
    { title: `Sign in — ${ctx.serviceName}`, csrf: ctx.csrf, script: true, ...(ctx.lang ? { lang: ctx.lang } : {}) },
    html`${header(ctx.serviceName, 'Sign in')}
<p><strong>${ctx.clientName}</strong> asks you to sign in to ${ctx.serviceName}.</p>
${alert(ctx.error)}
<section aria-labelledby="key-heading">
<h2 id="key-heading">With a security key</h2>
<p>Use your registered security key or passkey. It only works on this site.</p>
<button type="button" id="security-key-login" data-webauthn="login">Sign in with a security key</button>
<p class="error" role="alert" id="webauthn-error" hidden></p>
</section>
<section aria-labelledby="password-heading">
<h2 id="password-heading">With your password</h2>
<form method="post" action="/rssp/login">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" required maxlength="255"${described ? html` aria-describedby="${described}"` : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
<button type="submit">Sign in</button>
</form>
</section>
<form method="post" action="/rssp/deny" class="secondary">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<button type="submit">Cancel and return to ${ctx.clientName}</button>
</form>`,
  );
}

function factorInput(id: string, i: number): Html {
  if (!isAuthObjectId(id)) return html``;
  const o = AUTH_OBJECTS[id];
  const numeric = o.format === 'N';
  return html`<label for="factor-${i}">${o.label}</label>
<p class="hint" id="factor-${i}-hint">${o.description}</p>
<input id="factor-${i}" name="${id}" ${numeric ? html`inputmode="numeric" autocomplete="one-time-code"` : html`type="password" autocomplete="off"`} required maxlength="64" aria-describedby="factor-${i}-hint">`;
}

export function consentPage(ctx: PageContext & { view: ConsentView; redirectOrigin: string }): string {
  const v = ctx.view;
  const c = v.credential;
  const title =
    v.scope === 'credential'
      ? 'Approve signing'
      : v.admin
        ? 'Sign in to administration'
        : v.scope === 'credential_management'
          ? 'Allow credential management'
          : 'Allow access';
  const documents = c?.documents.length
    ? html`<table>
<caption>What will be signed${c.hashAlgorithm ? html` (${c.hashAlgorithm} hashes)` : ''}</caption>
<thead><tr><th scope="col">Document</th><th scope="col">Hash</th></tr></thead>
<tbody>${c.documents.map((d) => html`<tr><td>${d.label}</td><td><code class="hash" title="base64: ${d.base64}">${d.hex}</code></td></tr>`)}</tbody>
</table>`
    : undefined;
  const code = c?.verificationCode
    ? html`<section class="code" aria-labelledby="code-heading">
<h2 id="code-heading">Verification code</h2>
<p class="digits" id="verification-code" aria-describedby="code-help">${c.verificationCode}</p>
<p id="code-help">Check that <strong>${v.clientName}</strong> shows the same four digits. If it does not, press <em>Refuse</em>: someone may have changed what is being signed.</p>
</section>`
    : undefined;
  const adminPart = v.admin
    ? html`<p>The <strong>${v.clientName}</strong> on your computer asks to act as you in the admin API, with your roles: <strong>${v.admin.roles.join(', ') || 'none'}</strong>. Approve only if you just started <code>shomei admin login</code> yourself.</p>`
    : undefined;
  const credentialPart = adminPart
    ? adminPart
    : c
      ? html`<dl>
<dt>Credential</dt><dd>${c.description} <span class="id">(${c.id})</span></dd>
${c.subject ? html`<dt>Certificate</dt><dd>${c.subject}</dd>` : ''}
<dt>Signatures</dt><dd>${c.numSignatures}</dd>
${v.description ? html`<dt>Purpose</dt><dd>${v.description}</dd>` : ''}
</dl>
${documents}${code}`
      : v.scope === 'credential_management'
        ? html`<p><strong>${v.clientName}</strong> asks to create new signing credentials (a key and certificate in your name) and to delete your credentials. It cannot sign with them.</p>`
        : html`<p><strong>${v.clientName}</strong> asks to use your signing account: list your credentials and ask you to authorise signatures.</p>`;
  const approve =
    v.approval === 'security-key'
      ? html`<p>${v.admin ? 'Approve with your security key.' : 'Approve with your security key. It signs a challenge bound to exactly these hashes.'}</p>
<button type="button" id="security-key-approve" data-webauthn="approve">Approve with security key</button>
<p class="error" role="alert" id="webauthn-error" hidden></p>`
      : html`<form method="post" action="/rssp/approve">
<input type="hidden" name="csrf" value="${ctx.csrf}">
${(c?.factors ?? []).map((f, i) => factorInput(f, i))}
<button type="submit" id="approve">Approve</button>
</form>
${
  c?.factors.includes('OTP')
    ? html`<form method="post" action="/rssp/otp" class="secondary">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<button type="submit">Send me a one-time code</button>
</form>`
    : ''
}`;
  return page(
    {
      title: `${title} — ${ctx.serviceName}`,
      csrf: ctx.csrf,
      script: v.approval === 'security-key',
      ...(ctx.lang ? { lang: ctx.lang } : {}),
    },
    html`${header(ctx.serviceName, title)}
<p><strong>${v.clientName}</strong> asks for your approval. It will continue at <code>${ctx.redirectOrigin}</code>.</p>
${credentialPart}
${alert(ctx.error)}
${approve}
<form method="post" action="/rssp/deny" class="secondary">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<button type="submit" id="deny">Refuse</button>
</form>`,
  );
}

export function messagePage(serviceName: string, title: string, message: string, status?: string): string {
  return page(
    { title: `${title} — ${serviceName}` },
    html`${header(serviceName, title)}
<p role="alert">${message}</p>
${status ? html`<p class="hint">Error code: <code>${status}</code></p>` : ''}`,
  );
}

export function registerPage(ctx: PageContext): string {
  return page(
    { title: `Set up your sign-in — ${ctx.serviceName}`, csrf: ctx.csrf, script: true },
    html`${header(ctx.serviceName, 'Set up your sign-in')}
<p>You need the one-time code your registration officer gave you. Each code sets up one key or one app.</p>
${alert(ctx.error)}
<section aria-labelledby="key-heading">
<h2 id="key-heading">A security key</h2>
<p>Follow your browser's prompts. The key will work on this site only.</p>
<label for="enrolment-code">One-time code</label>
<input id="enrolment-code" name="code" autocomplete="off" required maxlength="64">
<label for="key-label">Name for this key</label>
<input id="key-label" name="label" maxlength="64" value="Security key">
<button type="button" id="security-key-register" data-webauthn="register">Register security key</button>
<p class="error" role="alert" id="webauthn-error" hidden></p>
<p class="ok" role="status" id="webauthn-ok" hidden></p>
</section>
<section aria-labelledby="totp-heading">
<h2 id="totp-heading">An authenticator app</h2>
<form method="post" action="/rssp/totp/start">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<label for="totp-enrolment-code">One-time code for the app</label>
<input id="totp-enrolment-code" name="code" autocomplete="off" required maxlength="64">
<button type="submit">Set up an authenticator app</button>
</form>
</section>`,
  );
}

/** The QR code of a proposed TOTP secret; it becomes the signer's once the app's code confirms it. */
export function totpPage(ctx: PageContext & { qrSvg: string; secret: string; username: string }): string {
  return page(
    { title: `Set up an authenticator app — ${ctx.serviceName}`, csrf: ctx.csrf },
    html`${header(ctx.serviceName, 'Set up an authenticator app')}
<p>Scan this code with your authenticator app for <strong>${ctx.username}</strong>, or type the key below into it. Then enter the six digits the app shows.</p>
${alert(ctx.error)}
<figure>${trusted(ctx.qrSvg)}<figcaption>Key: <code id="totp-secret">${ctx.secret}</code></figcaption></figure>
<form method="post" action="/rssp/totp/confirm">
<input type="hidden" name="csrf" value="${ctx.csrf}">
<label for="totp-code">Code from the app</label>
<input id="totp-code" name="totp" inputmode="numeric" autocomplete="one-time-code" required maxlength="8">
<button type="submit">Confirm</button>
</form>`,
  );
}
