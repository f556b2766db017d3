import { formatAddress, type AddressRange, type IpFamily } from '../../model/cidr.js';

/** Returns address ranges sorted by their first address, overlapping and adjacent ones merged. */
export { mergeRanges as sortRanges } from '../../model/cidr.js';

/** Returns true when the ranges cover a whole address family (`0.0.0.0/0`, `::/0`). */
export function isWholeFamily(ranges: readonly AddressRange[]): boolean {
  return ranges.some((range) => range.first === 0n && (range.last === (1n << 32n) - 1n || range.last === (1n << 128n) - 1n));
}

/** Formats a range as a CIDR (`10.0.0.0/8`) when it is one, else as `first-last`. */
export function formatCidrRange(range: AddressRange, family: IpFamily): string {
  const bits = family === 4 ? 32 : 128;
  const size = range.last - range.first + 1n;
  const hostBits = size.toString(2).length - 1;
  if (size === 1n << BigInt(hostBits) && range.first % size === 0n) return `${formatAddress(range.first, family)}/${bits - hostBits}`;
  return `${formatAddress(range.first, family)}-${formatAddress(range.last, family)}`;
}
