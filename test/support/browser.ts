/**
 * A cookie-keeping client for the RSSP's pages over `app.http.inject`: what a browser does with
 * Set-Cookie, forms (the CSRF token read from the page) and the WebAuthn script's JSON posts.
 */
import type { App } from '../../src/app.js';
import type { Reply } from './app.js';

export class PageClient {
  cookie = '';
  csrf = '';
  constructor(
    private readonly app: App,
    readonly origin: string,
  ) {}

  private remember(headers: Record<string, unknown>) {
    const set = headers['set-cookie'];
    const first = Array.isArray(set) ? set[0] : set;
    if (typeof first === 'string') this.cookie = first.split(';')[0] as string;
  }

  private reply(res: { statusCode: number; headers: Record<string, unknown>; body: string }): Reply {
    this.remember(res.headers);
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      json = undefined;
    }
    const m = /name="csrf-token" content="([^"]+)"/.exec(res.body) ?? /name="csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1] as string;
    return { status: res.statusCode, headers: res.headers as Reply['headers'], text: res.body, json };
  }

  async get(url: string): Promise<Reply> {
    const res = await this.app.http.inject({ method: 'GET', url, headers: this.cookie ? { cookie: this.cookie } : {} });
    return this.reply(res);
  }

  /** GET, then follow same-site 303/302 redirects (not to the client's redirect URI). */
  async open(url: string): Promise<Reply> {
    let r = await this.get(url);
    while ((r.status === 302 || r.status === 303) && String(r.headers.location).startsWith('/')) {
      r = await this.get(String(r.headers.location));
    }
    return r;
  }

  async form(path: string, fields: Record<string, string>, opts: { csrf?: string | null; origin?: string } = {}) {
    const body = new URLSearchParams({
      ...(opts.csrf === null ? {} : { csrf: opts.csrf ?? this.csrf }),
      ...fields,
    }).toString();
    const res = await this.app.http.inject({
      method: 'POST',
      url: path,
      payload: body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: opts.origin ?? this.origin,
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
    });
    return this.reply(res);
  }

  async json(path: string, body: unknown, opts: { csrf?: string; origin?: string } = {}) {
    const res = await this.app.http.inject({
      method: 'POST',
      url: path,
      payload: JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        origin: opts.origin ?? this.origin,
        'x-csrf-token': opts.csrf ?? this.csrf,
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
    });
    return this.reply(res);
  }
}
