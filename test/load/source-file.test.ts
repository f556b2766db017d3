/**
 * Offsets to lines and columns (src/load/source-file.ts): line starts are found incrementally, as
 * far as positions are asked for, in any order; the answers must be those of counting from the top.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SourceFile } from '../../src/load/source-file.js';
import { analyzeTexts } from '../../src/pipeline.js';

/** Counts lines from the top, with YAML 1.2's line breaks (§5.4): CR LF, CR alone, LF alone. */
function counted(text: string, offset: number): { line: number; column: number } {
  const starts = [0, ...[...text.matchAll(/\r\n?|\n/g)].map((match) => match.index! + match[0].length)];
  const line = starts.filter((start) => start <= offset).length;
  return { line, column: offset - starts[line - 1] + 1 };
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

// Issue 18: a file with classic Mac OS line ends (CR alone) was all one line for positions, so
// findings pointed at line 1, column 177; js-yaml reads CR as a line break, as YAML 1.2 does.
describe('carriage returns as line ends', () => {
  it('counts a lone CR as a line end and CR LF as one', () => {
    const file = new SourceFile('m.yaml', 'a: 1\rb: 2\r\nc: 3\n\rd');
    expect(file.lineAndColumn(5)).toEqual({ line: 2, column: 1 });
    expect(file.lineAndColumn(11)).toEqual({ line: 3, column: 1 });
    expect(file.lineAndColumn(17)).toEqual({ line: 5, column: 1 });
  });

  it('places findings of a CR-only manifest on their lines', () => {
    const text = ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata: {name: a, namespace: x}', 'spec:', '  podSelector: {}',
      '  ingress:', '  - from:', '    - ipBlock: {cidr: 10.0.0.1/33}', ''].join('\r');
    const { inputFindings } = analyzeTexts([{ path: 'cr.yaml', text }]);
    expect(inputFindings.map((finding) => [finding.ruleId, finding.location?.line, finding.location?.column])).toEqual([['invalid-cidr', 8, 17]]);
  });
});
