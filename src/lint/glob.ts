/**
 * The `ignore` globs of .k8snet.yaml, matched without backtracking. The configuration comes with
 * the pull request, so a glob is untrusted input: compiled to a regular expression, `**` and `*`
 * nest into patterns that backtrack exponentially (46 bytes hung the run). Here a glob is a small
 * automaton whose active states are tracked as a set over the path, one character at a time
 * (Thompson's construction): the time is the length of the path times the length of the glob,
 * whatever both hold. picomatch, the usual library, compiles globs to regular expressions too, and
 * has had ReDoS advisories for crafted globs (CVE-2026-33671; a bypass of its fix is still open as
 * micromatch/picomatch#175), so it is not used.
 *
 * The syntax: `*` is any run of characters other than `/`, `?` one such character, `**` then `/`
 * any number of whole folders (none included), `**` elsewhere anything; every other character stands
 * for itself. A glob matches a path when it matches whole segments of it, starting at any
 * folder: `generated` matches `x/generated/a.yaml`, and a folder's glob covers its files. Paths
 * and globs are read with `/` for `\` and without a leading `./`.
 */

/** What one state of the automaton does with the next character. */
const enum Step {
  /** Takes one given character. */
  Literal,
  /** Takes one character other than `/` (`?`). */
  OneInSegment,
  /** Takes any characters other than `/`, or none (`*`). */
  RunInSegment,
  /** Takes anything, or nothing (`**` not followed by `/`). */
  Anything,
  /** At the start of a folder name inside `**` + `/`: may end here, take `/`, or enter the name. */
  FoldersHead,
  /** Inside a folder name of `**` + `/`: takes characters other than `/`, and `/` back to the head. */
  FoldersName,
}

const SLASH = 47;

/** One compiled glob. */
class GlobAutomaton {
  private readonly steps: Step[] = [];
  /** The character a Literal state takes. */
  private readonly literals: number[] = [];
  /** The states of the last character's set, and a mark per state of the set being built. */
  private current: Int32Array;
  private next: Int32Array;
  private readonly marks: Uint32Array;
  private generation = 0;

  constructor(glob: string) {
    const source = normalise(glob);
    for (let index = 0; index < source.length; index++) {
      const code = source.charCodeAt(index);
      if (code === 42 /* * */ && source.charCodeAt(index + 1) === 42) {
        index++;
        if (source.charCodeAt(index + 1) === SLASH) {
          index++;
          this.add(Step.FoldersHead);
          this.add(Step.FoldersName);
        } else this.add(Step.Anything);
      } else if (code === 42) this.add(Step.RunInSegment);
      else if (code === 63 /* ? */) this.add(Step.OneInSegment);
      else this.add(Step.Literal, code);
    }
    // The accepting state, after the last step.
    const states = this.steps.length + 1;
    this.current = new Int32Array(states);
    this.next = new Int32Array(states);
    this.marks = new Uint32Array(states);
  }

  private add(step: Step, literal = 0): void {
    this.steps.push(step);
    this.literals.push(literal);
  }

  /** Returns true when the glob matches whole segments of `file` (already normalised). */
  matches(file: string): boolean {
    const accept = this.steps.length;
    let size = 0;
    this.generation++;
    size = this.enter(0, this.current, size);
    for (let position = 0; position <= file.length; position++) {
      const code = position < file.length ? file.charCodeAt(position) : -1;
      // The glob may end where a segment does: at the end, or before a `/`.
      if ((code === -1 || code === SLASH) && this.marks[accept] === this.generation) return true;
      if (code === -1) return false;
      this.generation++;
      let nextSize = 0;
      for (let index = 0; index < size; index++) {
        const state = this.current[index];
        if (state === accept) continue;
        switch (this.steps[state]) {
          case Step.Literal:
            if (code === this.literals[state]) nextSize = this.enter(state + 1, this.next, nextSize);
            break;
          case Step.OneInSegment:
            if (code !== SLASH) nextSize = this.enter(state + 1, this.next, nextSize);
            break;
          case Step.RunInSegment:
            if (code !== SLASH) nextSize = this.enter(state, this.next, nextSize);
            break;
          case Step.Anything:
            nextSize = this.enter(state, this.next, nextSize);
            break;
          case Step.FoldersHead:
            nextSize = this.enter(code === SLASH ? state : state + 1, this.next, nextSize);
            break;
          case Step.FoldersName:
            nextSize = this.enter(code === SLASH ? state - 1 : state, this.next, nextSize);
            break;
        }
      }
      // The glob may also start at the next segment.
      if (code === SLASH) nextSize = this.enter(0, this.next, nextSize);
      [this.current, this.next] = [this.next, this.current];
      size = nextSize;
    }
    return false;
  }

  /**
   * Adds `state` to `set` (marked with the current generation) with every state it reaches
   * without taking a character: past a `*`, a `**`, or the head of `**` and `/` (to the step after
   * its folder name). Returns the new size of the set.
   */
  private enter(state: number, set: Int32Array, size: number): number {
    let added = size;
    let at = state;
    for (;;) {
      if (this.marks[at] === this.generation) return added;
      this.marks[at] = this.generation;
      set[added++] = at;
      if (at === this.steps.length) return added;
      const step = this.steps[at];
      if (step === Step.RunInSegment || step === Step.Anything) at += 1;
      else if (step === Step.FoldersHead) at += 2;
      else return added;
    }
  }
}

function normalise(text: string): string {
  const slashed = text.replace(/\\/g, '/');
  return slashed.startsWith('./') ? slashed.slice(2) : slashed;
}

/**
 * Returns a predicate telling whether a file path matches one of the globs (`**`, `*`, `?`),
 * in time linear in the length of the path for each glob. Answers are remembered per path: the
 * engine asks once per finding.
 */
export function globMatcher(globs: readonly string[]): (file: string) => boolean {
  if (globs.length === 0) return () => false;
  const automata = globs.map((glob) => new GlobAutomaton(glob));
  const answers = new Map<string, boolean>();
  return (file) => {
    let answer = answers.get(file);
    if (answer === undefined) {
      const normalised = normalise(file);
      answer = automata.some((automaton) => automaton.matches(normalised));
      answers.set(file, answer);
    }
    return answer;
  };
}
