/**
 * API-1 done-when "every v1 and v2 error string listed in the reference is produced by some test":
 * the `error_description` strings of csc-api-v2.md §2 (v2, and v1's `PIN locked`) are read from the
 * reference itself, and for each one (a) the error catalogue (src/errors.ts) produces it — `<name>`
 * and `...` in either text matched as a pattern — or NOT_PRODUCED says why not, and (b) some test
 * under test/ asserts it (its literal, or its longest fixed fragment, as text or as a regex). The
 * table is printed; a new string in the reference or a dropped test fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../src/errors.js';

// The shared reference beside the project (../shared), wherever the checkout is.
const REFERENCE = fileURLToPath(new URL('../../shared/reference/csc-api-v2.md', import.meta.url));
const TEST_DIR = new URL('.', import.meta.url).pathname;
const SELF = 'csc-errors-coverage.test.ts';

/** Reference strings the catalogue deliberately does not produce, with the reason. */
const NOT_PRODUCED: Readonly<Record<string, string>> = {};

/** The backticked strings with a space in §2's `error_description` paragraph (codes have none). */
function referenceStrings(): string[] {
  const text = readFileSync(REFERENCE, 'utf8');
  const heading = '`error_description` strings';
  const from = text.indexOf(heading);
  const to = text.indexOf('\n## 3', from);
  expect(from, '§2 error_description paragraph').toBeGreaterThan(0);
  const found = [...text.slice(from + heading.length, to).matchAll(/`([^`]+)`/g)].map((m) =>
    (m[1] as string).replace(/\s+/g, ' '),
  );
  return [...new Set(found.filter((s) => s.includes(' ')))];
}

const PLACEHOLDER = /<[a-zA-Z]+>|\.\.\./g;
const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `<name>` and `...` match anything (spaces around them optional: `certificate ... is` ~ `certificate is`). */
function pattern(s: string): RegExp {
  const parts = s.split(PLACEHOLDER).map((p) => reEscape(p.trim()));
  return new RegExp(`^${parts.join('\\s*.*?\\s*')}$`);
}

/** Every catalogue description, parameters rendered as `<param>`. */
function catalogueTexts(): { code: string; text: string }[] {
  const params = new Proxy({}, { get: (_t, k) => `<${String(k)}>` }) as Record<string, string>;
  return Object.entries(catalogue).map(([code, e]) => ({
    code,
    text: typeof e.description === 'string' ? e.description : e.description(params),
  }));
}

function testSources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.isDirectory()) return testSources(join(dir, d.name));
    if (!d.name.endsWith('.ts') || d.name === SELF) return [];
    return [{ file: join(dir, d.name).slice(TEST_DIR.length), text: readFileSync(join(dir, d.name), 'utf8') }];
  });
}

/** At most three, then a count: the table stays one line per string. */
const list = (xs: readonly string[]) => xs.slice(0, 3).join(', ') + (xs.length > 3 ? ` (+${xs.length - 3})` : '');

/** The longest fixed part of a string with placeholders: what a test that asserts it must contain. */
const fragment = (s: string) => s.split(PLACEHOLDER).reduce((a, b) => (b.trim().length > a.length ? b.trim() : a), '');

describe('API-1 CSC error strings of the reference: produced by the catalogue, asserted by a test', () => {
  const strings = referenceStrings();
  const texts = catalogueTexts();
  const sources = testSources(TEST_DIR);

  it('API-1 §2 lists the strings this check reads (parsing sanity)', () => {
    expect(strings).toEqual(
      expect.arrayContaining([
        'Malformed authorization header',
        'Missing (or invalid type) array parameter hash',
        'Signing certificate ... is expired',
        'PIN locked',
      ]),
    );
    expect(strings.length).toBeGreaterThanOrEqual(20);
  });

  it('API-1 every v1/v2 error_description of csc-api-v2.md §2 is produced by src/errors.ts (or excused) and asserted by a test', () => {
    const rows = strings.map((s) => {
      const ref = pattern(s);
      const codes = texts.filter((c) => ref.test(c.text) || pattern(c.text).test(s)).map((c) => c.code);
      const frag = fragment(s);
      const needles = [frag, reEscape(frag), frag.replace(/[()]/g, '\\$&')];
      const tests = sources.filter((f) => needles.some((n) => f.text.includes(n))).map((f) => f.file);
      return { string: s, codes, reason: NOT_PRODUCED[s], tests };
    });
    console.log(
      [
        'reference error_description → catalogue code(s) | asserted in',
        ...rows.map(
          (r) =>
            `${r.string.padEnd(62)} → ${(list(r.codes) || `NOT PRODUCED: ${r.reason ?? '??'}`).padEnd(28)} | ${list(r.tests) || '-'}`,
        ),
      ].join('\n'),
    );
    const unaccounted = rows.filter((r) => r.codes.length === 0 && r.reason === undefined).map((r) => r.string);
    expect(unaccounted, 'neither produced nor excused in NOT_PRODUCED').toEqual([]);
    const untested = rows.filter((r) => r.codes.length > 0 && r.tests.length === 0).map((r) => r.string);
    expect(untested, 'produced but asserted by no test').toEqual([]);
    const stale = Object.keys(NOT_PRODUCED).filter((s) => rows.some((r) => r.string === s && r.codes.length > 0));
    expect(stale, 'excused but produced after all').toEqual([]);
  });
});
