/**
 * The terminal conventions (src/cli/context.ts shouldColor, src/cli/progress.ts): colour by
 * FORCE_COLOR, NO_COLOR, TERM=dumb and --no-color as chalk and no-color.org define them, and a
 * progress line only on a terminal outside CI, only after about a second.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { shouldColor } from '../../src/cli/context.js';
import { ProgressLine, canShowProgress } from '../../src/cli/progress.js';
import { BIN, ROOT } from './run-cli.js';

const TTY = { isTTY: true };
const PIPE = { isTTY: false };

describe('shouldColor', () => {
  it('colours a terminal, not a pipe, unless --no-color', () => {
    expect(shouldColor(TTY, true, {})).toBe(true);
    expect(shouldColor(PIPE, true, {})).toBe(false);
    expect(shouldColor(TTY, false, { FORCE_COLOR: '1' })).toBe(false);
  });

  it('turns colour off on a terminal with FORCE_COLOR=0 or false, NO_COLOR (not empty) or TERM=dumb', () => {
    expect(shouldColor(TTY, true, { FORCE_COLOR: '0' })).toBe(false);
    expect(shouldColor(TTY, true, { FORCE_COLOR: 'false' })).toBe(false);
    expect(shouldColor(TTY, true, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor(TTY, true, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor(TTY, true, { TERM: 'dumb' })).toBe(false);
  });

  it('forces colour, on a pipe too, with FORCE_COLOR set to anything else (1, 2, 3, true, empty), over NO_COLOR and TERM=dumb', () => {
    for (const value of ['1', '2', '3', 'true', '']) expect(shouldColor(PIPE, true, { FORCE_COLOR: value })).toBe(true);
    expect(shouldColor(PIPE, true, { FORCE_COLOR: '1', NO_COLOR: '1', TERM: 'dumb' })).toBe(true);
  });
});

describe('progress', () => {
  it('is shown only on a terminal that is not dumb, outside CI', () => {
    expect(canShowProgress(TTY, {})).toBe(true);
    expect(canShowProgress(PIPE, {})).toBe(false);
    expect(canShowProgress(TTY, { CI: 'true' })).toBe(false);
    expect(canShowProgress(TTY, { CI: '1' })).toBe(false);
    expect(canShowProgress(TTY, { CI: 'false' })).toBe(true);
    expect(canShowProgress(TTY, { TERM: 'dumb' })).toBe(false);
  });

  it('draws nothing during the first second, then at most ten times a second, and erases itself', () => {
    let clock = 0;
    const written: string[] = [];
    const line = new ProgressLine((text) => written.push(text), () => clock);
    let asked = 0;
    const text = () => `step ${++asked}`;
    line.update(text);
    clock = 999;
    line.update(text);
    expect(written).toEqual([]);
    // The text is not even computed before it is drawn.
    expect(asked).toBe(0);
    clock = 1000;
    line.update(text);
    clock = 1050;
    line.update(text);
    clock = 1100;
    line.update(text);
    line.done();
    expect(written).toEqual(['\rstep 1\u001b[K', '\rstep 2\u001b[K', '\r\u001b[K']);
  });

  it('erases nothing when nothing was drawn, and draws nothing without a terminal', () => {
    const written: string[] = [];
    const quick = new ProgressLine((text) => written.push(text), () => 0);
    quick.update(() => 'x');
    quick.done();
    expect(written).toEqual([]);
    const silent = new ProgressLine(undefined, () => 5000);
    silent.update(() => {
      throw new Error('not computed without a terminal');
    });
    silent.done();
  });
});

// On a real terminal (util-linux `script` gives one), where pipes cannot show the difference.
const hasScript = fs.existsSync('/usr/bin/script');
(hasScript ? describe : describe.skip)('on a terminal', () => {
  const onTerminal = (env: Record<string, string | undefined>) => {
    const environment: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined, CI: undefined, TERM: 'xterm', ...env };
    for (const key of Object.keys(environment)) if (environment[key] === undefined) delete environment[key];
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} lint fixtures/bad-input/broken-syntax.yaml`;
    return spawnSync('/usr/bin/script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: environment as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60000 }).stdout;
  };
  const ANSI = /\u001b\[\d+(;\d+)*m/;

  it('colours the report, and not with FORCE_COLOR=0, NO_COLOR or TERM=dumb', () => {
    expect(onTerminal({})).toMatch(ANSI);
    expect(onTerminal({ FORCE_COLOR: '0' })).not.toMatch(ANSI);
    expect(onTerminal({ NO_COLOR: '1' })).not.toMatch(ANSI);
    expect(onTerminal({ TERM: 'dumb' })).not.toMatch(ANSI);
  });
});
