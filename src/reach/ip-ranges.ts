import type { AddressRange, IpFamily } from '../model/cidr.js';
import { formatAddress } from '../model/cidr.js';

/** The whole address space of a family. */
export function wholeSpace(family: IpFamily): AddressRange {
  return { first: 0n, last: family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n };
}

/** Returns true when `address` is inside one of the sorted, disjoint `ranges`. */
export function rangesContain(ranges: readonly AddressRange[], address: bigint): boolean {
  for (const range of ranges) {
    if (address < range.first) return false;
    if (address <= range.last) return true;
  }
  return false;
}

/** Returns true when the two sorted range lists share an address. */
export function rangesOverlap(a: readonly AddressRange[], b: readonly AddressRange[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i].last < b[j].first) i++;
    else if (b[j].last < a[i].first) j++;
    else return true;
  }
  return false;
}

/**
 * Cuts the whole address space of a family into contiguous ranges at every boundary of the
 * given range lists, so that each piece lies entirely inside or entirely outside each list.
 * This is np-guard's partition of external peers: one peer per piece.
 */
export function partitionSpace(family: IpFamily, rangeLists: readonly (readonly AddressRange[])[]): AddressRange[] {
  const space = wholeSpace(family);
  const cuts = new Set<bigint>([space.first]);
  for (const ranges of rangeLists) {
    for (const range of ranges) {
      cuts.add(range.first);
      if (range.last < space.last) cuts.add(range.last + 1n);
    }
  }
  const starts = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return starts.map((first, index) => ({ first, last: index + 1 < starts.length ? starts[index + 1] - 1n : space.last }));
}

/** Formats a range as np-guard does: `first-last` addresses, even for a single address. */
export function formatRange(range: AddressRange, family: IpFamily): string {
  return `${formatAddress(range.first, family)}-${formatAddress(range.last, family)}`;
}
