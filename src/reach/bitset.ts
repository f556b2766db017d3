/** A fixed-size set of small integers (pod class indexes), 32 per word. */
export class BitSet {
  private readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  /** Returns the set of every integer below `size`. */
  static full(size: number): BitSet {
    const set = new BitSet(size);
    for (let index = 0; index < size; index++) set.add(index);
    return set;
  }

  /** Adds `index` to the set. Only used while a solver is being built. */
  add(index: number): void {
    this.words[index >>> 5] |= 1 << (index & 31);
  }

  /** Adds every member of `other` (a set of the same size) to this one. */
  addAll(other: BitSet): void {
    for (let word = 0; word < this.words.length; word++) this.words[word] |= other.words[word];
  }

  /** Adds every member of this set to `target` (a set of the same size). */
  addInto(target: BitSet): void {
    this.orInto(target.words, 0);
  }

  /** ORs the set's words into `target` from `offset` on (a row of a {@link ClassMatrix}). */
  orInto(target: Uint32Array, offset: number): void {
    for (let word = 0; word < this.words.length; word++) target[offset + word] |= this.words[word];
  }

  /** Returns true when `index` is in the set. */
  has(index: number): boolean {
    return (this.words[index >>> 5] & (1 << (index & 31))) !== 0;
  }

  /**
   * How the members of this set lie in `other` (a set of the same size): none of them, all of
   * them, or some; `none` for an empty set. Word by word, stopping once it is `some`.
   */
  relationTo(other: BitSet): 'none' | 'all' | 'some' {
    let inside = false;
    let outside = false;
    for (let word = 0; word < this.words.length; word++) {
      const bits = this.words[word];
      if ((bits & other.words[word]) !== 0) inside = true;
      if ((bits & ~other.words[word]) !== 0) outside = true;
      if (inside && outside) return 'some';
    }
    return inside ? 'all' : 'none';
  }

  /** Returns a new set of the members of this set that are in `other` (`keep` true) or not (`keep` false). */
  split(other: BitSet, keep: boolean): BitSet {
    const result = new BitSet(this.size);
    for (let word = 0; word < this.words.length; word++) result.words[word] = this.words[word] & (keep ? other.words[word] : ~other.words[word]);
    return result;
  }

  /** Returns the smallest member, or -1 when the set is empty. */
  first(): number {
    for (let word = 0; word < this.words.length; word++) {
      const bits = this.words[word];
      if (bits !== 0) return (word << 5) + (31 - Math.clz32(bits & -bits));
    }
    return -1;
  }

  /** Yields the members in increasing order, skipping empty words. */
  *members(): Generator<number> {
    for (let word = 0; word < this.words.length; word++) {
      let bits = this.words[word];
      while (bits !== 0) {
        const lowest = bits & -bits;
        yield (word << 5) + (31 - Math.clz32(lowest));
        bits ^= lowest;
      }
    }
  }
}

/**
 * A square bit matrix over pod classes in one typed array: row r holds the classes related to
 * class r. Rows may be absent (all unknown), which callers treat as "ask the rules".
 */
export class ClassMatrix {
  private readonly words: Uint32Array;
  private readonly rowWords: number;
  private readonly present: Uint8Array;

  constructor(readonly size: number) {
    this.rowWords = (size + 31) >>> 5;
    this.words = new Uint32Array(this.rowWords * size);
    this.present = new Uint8Array(size);
  }

  /** Sets row `row` to the union of `sets`. Only used while a solver is being built. */
  setRow(row: number, sets: readonly BitSet[]): void {
    this.present[row] = 1;
    const offset = row * this.rowWords;
    for (const set of sets) set.orInto(this.words, offset);
  }

  /** Returns the members of row `row` in increasing order, or undefined when the row is absent. */
  rowMembers(row: number): number[] | undefined {
    if (this.present[row] !== 1) return undefined;
    const members: number[] = [];
    const offset = row * this.rowWords;
    for (let word = 0; word < this.rowWords; word++) {
      let bits = this.words[offset + word];
      while (bits !== 0) {
        const lowest = bits & -bits;
        members.push((word << 5) + (31 - Math.clz32(lowest)));
        bits ^= lowest;
      }
    }
    return members;
  }

  /** Returns true when row `row` exists and does not contain `column`. */
  excludes(row: number, column: number): boolean {
    return this.present[row] === 1 && (this.words[row * this.rowWords + (column >>> 5)] & (1 << (column & 31))) === 0;
  }
}
