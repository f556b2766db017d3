/**
 * The `ignore` glob matcher (src/lint/glob.ts): linear in the path whatever the glob, and the
 * same answers as the regular-expression reading of the globs it replaced (the syntax tests are
 * in config.test.ts, with the rest of the configuration).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { globMatcher } from '../../src/lint/glob.js';
import { globMatcher as configGlobMatcher } from '../../src/lint/config.js';

/** The previous matcher: each glob compiled to a regular expression (correct, but it backtracks). */
function regexMatcher(globs: readonly string[]): (file: string) => boolean {
  const patterns = globs.map((glob) => {
    const normalised = glob.replace(/\\/g, '/').replace(/^\.\//, '');
    let source = '';
    for (let index = 0; index < normalised.length; index++) {
      const char = normalised[index];
      if (char === '*' && normalised[index + 1] === '*') {
        index++;
        if (normalised[index + 1] === '/') {
          index++;
          source += '(?:[^/]*/)*';
        } else source += '.*';
      } else if (char === '*') source += '[^/]*';
      else if (char === '?') source += '[^/]';
      else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`(^|/)${source}($|/)`);
  });
  return (file) => patterns.some((pattern) => pattern.test(file.replace(/\\/g, '/').replace(/^\.\//, '')));
}

describe('globMatcher without backtracking', () => {
  // 46 bytes: as a regular expression, `.*a` fifteen times then `b` tries every way of placing
  // fifteen a's in the path before giving up (about 10^13 steps on this path: the run hung).
  const PATHOLOGICAL = `${'**a'.repeat(15)}b`;

  it('answers the pathological 46-byte glob at once (as the configuration uses it)', () => {
    expect(PATHOLOGICAL).toHaveLength(46);
    const matcher = configGlobMatcher([PATHOLOGICAL]);
    expect(matcher(`${'a'.repeat(60)}/${'a'.repeat(40)}.yaml`)).toBe(false);
    expect(matcher(`${'a'.repeat(60)}b`)).toBe(true);
  });

  it('answers nested stars and folder globs on long paths at once', () => {
    const path = `${'x/'.repeat(2000)}y.yaml`;
    expect(globMatcher([`${'**/'.repeat(30)}z.yaml`])(path)).toBe(false);
    expect(globMatcher([`${'*x'.repeat(30)}*q`])(`${'x'.repeat(5000)}`)).toBe(false);
    expect(globMatcher([`${'**/x/'.repeat(20)}y.yaml`])(path)).toBe(true);
  });

  it('gives the answers of the regular-expression reading on small globs and paths', () => {
    const glob = fc.array(fc.constantFrom('a', 'b', '/', '*', '**', '**/', '?', '.', './', '\\'), { maxLength: 8 }).map((parts) => parts.join(''));
    const path = fc.array(fc.constantFrom('a', 'b', '/', '.', 'ab', './', '\\'), { maxLength: 10 }).map((parts) => parts.join(''));
    fc.assert(fc.property(fc.array(glob, { minLength: 1, maxLength: 3 }), path, (globs, file) => {
      expect(globMatcher(globs)(file)).toBe(regexMatcher(globs)(file));
    }), { numRuns: 5000, seed: 18 });
  });
});
