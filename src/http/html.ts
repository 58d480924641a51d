/**
 * Server-rendered HTML (WEB-1, CA-3) without a template engine: `html` escapes every interpolated
 * value unless it is itself `html` output, so a client name, a document label or a description can
 * never become markup.
 */

const SAFE = Symbol('safe-html');

export interface Html {
  readonly [SAFE]: true;
  readonly text: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

const safe = (text: string): Html => ({ [SAFE]: true, text });
const isHtml = (v: unknown): v is Html => typeof v === 'object' && v !== null && SAFE in v;

type Value = string | number | Html | readonly Html[] | undefined | null | false;

function render(v: Value): string {
  if (v === undefined || v === null || v === false) return '';
  if (Array.isArray(v)) return v.map((x) => render(x as Value)).join('');
  if (isHtml(v)) return v.text;
  return escapeHtml(String(v));
}

/**
 * Markup this service generated itself (a QR code's SVG from the qrcode library over our own
 * otpauth URI) — never input. The one way around escaping; keep it that way.
 */
export const trusted = (markup: string): Html => safe(markup);

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] as string;
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] as string);
  });
  return safe(out);
}
