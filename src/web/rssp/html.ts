/** The RSSP pages' frame: small, no inline script, one stylesheet and, where needed, the WebAuthn script. */
import { escapeHtml, type Html } from '../../http/html.js';

export { escapeHtml, type Html, html, trusted } from '../../http/html.js';

export interface PageOptions {
  readonly title: string;
  readonly lang?: string;
  /** The CSRF token for scripts' JSON posts (forms carry it as a hidden field too). */
  readonly csrf?: string;
  readonly script?: boolean;
}

export function page(opts: PageOptions, body: Html): string {
  return `<!doctype html>
<html lang="${escapeHtml(opts.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${opts.csrf ? `<meta name="csrf-token" content="${escapeHtml(opts.csrf)}">` : ''}
<title>${escapeHtml(opts.title)}</title>
<link rel="stylesheet" href="/rssp/assets/rssp.css">
${opts.script ? '<script src="/rssp/assets/webauthn.js" defer></script>' : ''}
</head>
<body>
<main>
${body.text}
</main>
</body>
</html>
`;
}
