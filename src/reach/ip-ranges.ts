import type { AddressRange, IpFamily } from '../model/cidr.js';
import { formatAddress } from '../model/cidr.js';

/** The whole address space of a family. */
export function wholeSpace(family: IpFamily): AddressRange {
  return { first: 0n, last: family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n };
}

/** Where the public IPv4 space is cut: private and special ranges (RFC 1918, 6598, 3927, loopback). */
export const NON_INTERNET_V4: readonly AddressRange[] = [
  [0x0a000000n, 0x0affffffn], [0x64400000n, 0x647fffffn], [0x7f000000n, 0x7fffffffn], [0xa9fe0000n, 0xa9feffffn],
  [0xac100000n, 0xac1fffffn], [0xc0a80000n, 0xc0a8ffffn],
].map(([first, last]) => ({ first, last }));

/** The public IPv4 space: the whole space without NON_INTERNET_V4, sorted and disjoint. */
export function publicIpv4Ranges(): AddressRange[] {
  const pieces: AddressRange[] = [];
  let next = 0n;
  for (const range of NON_INTERNET_V4) {
    if (range.first > next) pieces.push({ first: next, last: range.first - 1n });
    next = range.last + 1n;
  }
  pieces.push({ first: next, last: wholeSpace(4).last });
  return pieces;
}

/** Returns true when `address` is inside one of the sorted, disjoint `ranges`. */
export function rangesContain(ranges: readonly AddressRange[], address: bigint): boolean {
  for (const range of ranges) {
    if (address < range.first) return false;
    if (address <= range.last) return true;
  }
  return false;
}

/** Returns true when every address of the sorted, disjoint `wanted` lies inside the sorted, disjoint `ranges`. */
export function rangesCover(ranges: readonly AddressRange[], wanted: readonly AddressRange[]): boolean {
  let i = 0;
  for (const piece of wanted) {
    let next = piece.first;
    while (next <= piece.last) {
      while (i < ranges.length && ranges[i].last < next) i++;
      if (i === ranges.length || ranges[i].first > next) return false;
      next = ranges[i].last + 1n;
    }
  }
  return true;
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
