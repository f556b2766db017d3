/**
 * The escaping modules (src/report/escape/*.ts), one per target syntax: what each turns hostile
 * text into, and that ordinary text passes unchanged.
 */
import { describe, expect, it } from '@jest/globals';
import { csvCell } from '../../src/report/escape/csv.js';
import { dotLines, dotString } from '../../src/report/escape/dot.js';
import { workflowCommandData, workflowCommandProperty } from '../../src/report/escape/github.js';
import { markdownCode, markdownTableCode } from '../../src/report/escape/markdown.js';
import { mermaidLabel, mermaidLines } from '../../src/report/escape/mermaid.js';
import { escapeText, hasUnsafeText } from '../../src/report/escape/text.js';
import { xmlAttribute, xmlText } from '../../src/report/escape/xml.js';

describe('escapeText', () => {
  it.each([
    ['a\nb', 'a\\nb'],
    ['a\r\nb', 'a\\r\\nb'],
    ['a\tb', 'a\\tb'],
    ['\u001b[31mred\u001b[0m', '\\x1B[31mred\\x1B[0m'],
    ['\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007', '\\x1B]8;;https://evil.example\\x07link\\x1B]8;;\\x07'],
    ['\u009b31m', '\\x9B31m'],
    ['next\u0085line', 'next\\x85line'],
    ['\u0000\u007f', '\\x00\\x7F'],
    ['a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['admin\u202e\u2066txt.yaml\u2069\u202c', 'admin\\u202E\\u2066txt.yaml\\u2069\\u202C'],
    ['\u061c\u200e\u200f', '\\u061C\\u200E\\u200F'],
  ])('writes %j visibly', (text, expected) => {
    expect(escapeText(text)).toBe(expected);
    expect(hasUnsafeText(escapeText(text))).toBe(false);
  });

  it('leaves ordinary text, backslashes and non-Latin letters as they are', () => {
    for (const text of ['shop/web[Deployment]', 'C:\\repo\\a.yaml', 'überall/日本.yaml', 'TCP 80,443', '']) expect(escapeText(text)).toBe(text);
  });
});

describe('markdownCode', () => {
  it('puts text in a code span whose fence is longer than any backtick run inside', () => {
    expect(markdownCode('shop/web')).toBe('`shop/web`');
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('``x')).toBe('``` ``x ```');
    expect(markdownCode(' padded ')).toBe('`  padded  `');
    expect(markdownCode('')).toBe('');
  });

  it('escapes control characters, so a name cannot end the line or the table row', () => {
    expect(markdownCode('a\n::error::b')).toBe('`a\\n::error::b`');
    expect(markdownTableCode('a|b\r')).toBe('`a\\|b\\r`');
  });
});

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("https://evil.example")', '"\'=HYPERLINK(""https://evil.example"")"'],
    ['+1', "'+1"],
    ['-1+2', "'-1+2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', '\\tx'],
    ['\r=1', '\\r=1'],
    ['a,b', '"a,b"'],
    ['line\nbreak', 'line\\nbreak'],
    ['shop/web[Deployment]', 'shop/web[Deployment]'],
    ['0.0.0.0-255.255.255.255[External]', '0.0.0.0-255.255.255.255[External]'],
  ])('writes %j as %j', (text, expected) => {
    expect(csvCell(text)).toBe(expected);
  });
});

describe('dotString and dotLines', () => {
  it('quote for Graphviz: backslashes doubled (no \\N or \\l escapes), quotes escaped, controls visible', () => {
    expect(dotString('a"];evil [label="x')).toBe('"a\\"];evil [label=\\"x"');
    expect(dotString('\\N\\G')).toBe('"\\\\N\\\\G"');
    expect(dotString('a\nb')).toBe('"a\\\\nb"');
    expect(dotLines(['first', 'sec"ond'])).toBe('"first\\nsec\\"ond"');
  });
});

describe('mermaidLabel and mermaidLines', () => {
  it('quote for Mermaid with entity codes: quotes, #, markup and backticks cannot act', () => {
    expect(mermaidLabel('a"]; click n0 "https://evil.example')).toBe('"a#quot;]; click n0 #quot;https://evil.example"');
    expect(mermaidLabel('<img src=x>&`**md**`#quot;')).toBe('"#lt;img src=x#gt;#amp;#96;**md**#96;#35;quot;"');
    expect(mermaidLabel('a\nb')).toBe('"a\\nb"');
    expect(mermaidLines(['one', 'two<'])).toBe('"one<br/>two#lt;"');
  });
});

describe('workflow command escaping (as @actions/core escapes)', () => {
  it('percent-encodes %, CR and LF in data, and : and , in properties too', () => {
    expect(workflowCommandData('100%\r\n::error::x')).toBe('100%25%0D%0A::error::x');
    expect(workflowCommandProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });
});

describe('xmlText and xmlAttribute', () => {
  it('escape markup, replace what XML cannot carry, and keep CR (and, in attributes, tab and LF) as references', () => {
    expect(xmlText('<a href="x">&\'\u001b\r\n')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;\uFFFD&#13;\n');
    expect(xmlAttribute('a\tb\nc\rd')).toBe('a&#9;b&#10;c&#13;d');
  });
});
