/**
 * Offsets to lines and columns (src/load/source-file.ts): line starts are found incrementally, as
 * far as positions are asked for, in any order; the answers must be those of counting from the top.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SourceFile } from '../../src/load/source-file.js';

function counted(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

describe('SourceFile.lineAndColumn', () => {
  it('agrees with counting newlines, whatever the order of the offsets asked', () => {
    const text = fc.array(fc.constantFrom('a', 'b', '\n', '\r', ' '), { maxLength: 80 }).map((chars) => chars.join(''));
    fc.assert(fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (content, picks) => {
      const file = new SourceFile('m.yaml', content);
      for (const pick of picks) {
        const offset = pick % (content.length + 2);
        expect(file.lineAndColumn(offset)).toEqual(counted(content, offset));
      }
    }), { numRuns: 500 });
  });

  it('places the first character, a line start and the end of a file', () => {
    const file = new SourceFile('m.yaml', 'a: 1\nb: 2\n');
    expect(file.lineAndColumn(10)).toEqual({ line: 3, column: 1 });
    expect(file.lineAndColumn(0)).toEqual({ line: 1, column: 1 });
    expect(file.lineAndColumn(5)).toEqual({ line: 2, column: 1 });
    expect(file.lineAndColumn(8)).toEqual({ line: 2, column: 4 });
  });
});
