/** A fixed-size set of small integers (pod class indexes), 32 per word. */
export class BitSet {
  private readonly words: Uint32Array;

  constructor(readonly size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  /** Adds `index` to the set. Only used while a solver is being built. */
  add(index: number): void {
    this.words[index >>> 5] |= 1 << (index & 31);
  }

  /** Returns true when `index` is in the set. */
  has(index: number): boolean {
    return (this.words[index >>> 5] & (1 << (index & 31))) !== 0;
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
