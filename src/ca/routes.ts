/**
 * The CA's public repository (CA-3; RFC 5280 §4.2.1.13, §4.2.2.1): each CA certificate (DER,
 * application/pkix-cert, and PEM), each CA's current CRL (application/pkix-crl, cacheable until
 * its nextUpdate), a listing of the CA certificates with their SHA-256 fingerprints as HTML and as
 * JSON (seed 004: published fingerprints), and the certificate policy the certificates name.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Certificate } from 'pkijs';
import { html } from '../http/html.js';
import type { HttpApp } from '../http/server.js';
import { certificatePem } from './certificate.js';
import type { Crls } from './crl.js';
import type { CaAuthority, LocalCa } from './local-ca.js';
import { PROFILES } from './profiles.js';

export interface RepositoryDeps {
  readonly ca: LocalCa;
  readonly crls: Crls;
  readonly serviceName: string;
  readonly policies: readonly string[];
}

/** As `openssl x509 -fingerprint -sha256` prints it: upper-case hex pairs joined by colons. */
export const fingerprint = (der: Uint8Array): string =>
  (createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g) ?? []).join(':');

function describe(a: CaAuthority, ca: LocalCa) {
  const c = Certificate.fromBER(a.certificate);
  return {
    id: a.id,
    role: a.role,
    subject: a.subjectDn,
    issuer: a.parentId,
    notBefore: c.notBefore.value.toISOString(),
    notAfter: c.notAfter.value.toISOString(),
    sha256: fingerprint(a.certificate),
    certificate: ca.urls(a.id).caIssuers,
    crl: ca.urls(a.id).crl,
  };
}

const FILE = /^([a-z0-9-]{1,64})\.(der|pem|crl)$/;

export function caRoutes(app: HttpApp, deps: RepositoryDeps): void {
  const { ca, crls } = deps;
  const find = async (id: string) => (await ca.authorities()).find((a) => a.id === id);
  const notFound = (reply: FastifyReply) =>
    reply.status(404).send({ error: 'invalid_request', error_description: 'Not found' });
  const certificate = (reply: FastifyReply, a: CaAuthority, form: string) =>
    form === 'pem'
      ? reply
          .header('Cache-Control', 'public, max-age=3600')
          .type('application/x-pem-file')
          .send(certificatePem(a.certificate))
      : reply.header('Cache-Control', 'public, max-age=3600').type('application/pkix-cert').send(a.certificate);

  // The root's first URL, carried by certificates issued before the hierarchy.
  app.get('/ca/root.der', { schema: { tags: ['repository'] } }, async (_req, reply) =>
    certificate(reply, await ca.ensure(), 'der'),
  );

  app.get('/ca/:file', { schema: { tags: ['repository'] } }, async (req, reply) => {
    const m = FILE.exec((req.params as { file: string }).file);
    const a = m && m[2] !== 'crl' ? await find(m[1] as string) : undefined;
    return a ? certificate(reply, a, m?.[2] as string) : notFound(reply);
  });

  app.get('/crl/:file', { schema: { tags: ['repository'] } }, async (req, reply) => {
    const m = FILE.exec((req.params as { file: string }).file);
    const a = m && m[2] === 'crl' ? await find(m[1] as string) : undefined;
    if (!a) return notFound(reply);
    const crl = await crls.current(a.id);
    const maxAge = Math.max(0, Math.floor((crl.nextUpdate - Date.now()) / 1000));
    return reply
      .header('Cache-Control', `public, max-age=${Math.min(maxAge, 3600)}, no-transform`)
      .header('Last-Modified', new Date(crl.thisUpdate).toUTCString())
      .header('Expires', new Date(crl.nextUpdate).toUTCString())
      .type('application/pkix-crl')
      .send(crl.der);
  });

  app.get('/ca/index.json', { schema: { tags: ['repository'] } }, async (_req, reply) => {
    const list = (await ca.authorities()).map((a) => describe(a, ca));
    return reply.header('Cache-Control', 'public, max-age=300').send({ authorities: list, policies: deps.policies });
  });

  app.get('/ca', { schema: { tags: ['repository'] } }, async (_req, reply) => {
    const list = (await ca.authorities()).map((a) => describe(a, ca));
    const rows = list.map(
      (a) => html`<tr><th scope="row">${a.subject}</th><td>${a.role}</td><td>${a.notBefore} – ${a.notAfter}</td>
<td><code class="fp">${a.sha256}</code></td><td><a href="${a.certificate}">DER</a> · <a href="${a.certificate.replace(/\.der$/, '.pem')}">PEM</a> · <a href="${a.crl}">CRL</a></td></tr>`,
    );
    const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Certificate authorities — ${deps.serviceName}</title></head>
<body><main>
<h1>Certificate authorities of ${deps.serviceName}</h1>
<p>Compare the SHA-256 fingerprint of a CA certificate you install with the one below, obtained over a channel you trust. Machine-readable: <a href="/ca/index.json">index.json</a>. Certificate policy: <a href="/ca/policy">policy</a>.</p>
<table><caption>CA certificates</caption>
<thead><tr><th scope="col">Subject</th><th scope="col">Role</th><th scope="col">Validity</th><th scope="col">SHA-256 fingerprint</th><th scope="col">Files</th></tr></thead>
<tbody>${rows}</tbody></table>
</main></body></html>`;
    return reply
      .header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
      .header('Cache-Control', 'public, max-age=300')
      .type('text/html; charset=utf-8')
      .send(body.text);
  });

  app.get('/ca/policy', { schema: { tags: ['repository'] } }, async (_req, reply) => {
    const profiles = Object.entries(PROFILES)
      .map(([name, p]) => `  ${name.padEnd(11)} ${p.description}; at most ${p.maxValidityDays} days`)
      .join('\n');
    const text = `Certificate policy of ${deps.serviceName}\n\nPolicy OIDs named in issued certificates: ${deps.policies.join(', ')}\n\nProfiles:\n${profiles}\n\nRevocation: CRLs at the CRL distribution point of each certificate, re-issued after every\nrevocation and at least every 12 hours; OCSP at the AIA OCSP URL.\nKeys of signers are generated and kept in this service's key store (software or HSM) and used only\nafter the signer's authentication (CSC API v2).\n`;
    return reply.header('Cache-Control', 'public, max-age=3600').type('text/plain; charset=utf-8').send(text);
  });
}
