import { createRequire } from 'node:module';
import type * as IpNum from 'ip-num';
import { formatAddress, parseAddress, type Cidr, type IpFamily } from '../model/cidr.js';

let ipNum: typeof IpNum | undefined;

/** Returns ip-num, loaded on first use: only address planning needs it for IPv4. */
function library(): typeof IpNum {
  ipNum ??= createRequire(import.meta.url)('ip-num') as typeof IpNum;
  return ipNum;
}

/** An ip-num CIDR range of either family. */
export type IpNumRange = IpNum.IPv4CidrRange | IpNum.IPv6CidrRange;

const ranges = new Map<string, IpNumRange>();

/** Returns ip-num's range for a parsed (canonical) CIDR. */
export function toIpNumRange(cidr: Cidr): IpNumRange {
  let range = ranges.get(cidr.text);
  if (!range) {
    const ip = library();
    range = cidr.family === 4 ? ip.IPv4CidrRange.fromCidr(cidr.text) : ip.IPv6CidrRange.fromCidr(cidr.text);
    ranges.set(cidr.text, range);
  }
  return range;
}

/** The number of addresses in a CIDR: 2^(bits - prefix length). */
export function addressCount(cidr: Cidr): bigint {
  return toIpNumRange(cidr).getSize();
}

/** The number of addresses in a block of `prefixLength` of a family. */
export function blockAddressCount(family: IpFamily, prefixLength: number): bigint {
  return addressCount({ family, prefixLength, range: { first: 0n, last: 0n }, hostBitsSet: false, text: family === 4 ? `0.0.0.0/${prefixLength}` : `::/${prefixLength}` });
}

/** How many blocks of `blockPrefixLength` a range divides into; 0 when the blocks are larger than the range. */
export function blockCount(cidr: Cidr, blockPrefixLength: number): bigint {
  if (blockPrefixLength < cidr.prefixLength) return 0n;
  return addressCount(cidr) / blockAddressCount(cidr.family, blockPrefixLength);
}

/** A single address, parsed by ip-num. */
export interface ParsedAddress {
  readonly family: IpFamily;
  readonly value: bigint;
  /** The canonical text: `10.96.0.10`, `fd00::a`. */
  readonly text: string;
}

/**
 * Parses an IPv4 or IPv6 address; undefined when it is neither. IPv4 goes through the model's
 * parser (leading zeros read as decimal, as the API server's ParseIPSloppy does), so linting
 * Services with fixed ClusterIPs does not load ip-num; IPv6 through ip-num.
 */
export function parseIpAddress(text: string): ParsedAddress | undefined {
  const parsed = parseAddress(text.trim());
  return parsed && { ...parsed, text: formatAddress(parsed.value, parsed.family) };
}

/** True when the address lies inside the range. */
export function cidrContainsAddress(cidr: Cidr, address: ParsedAddress): boolean {
  if (cidr.family !== address.family) return false;
  const range = toIpNumRange(cidr);
  return range.getFirst().getValue() <= address.value && address.value <= range.getLast().getValue();
}

/** The first and last address of a range, as ip-num reads them. */
export function rangeEnds(cidr: Cidr): { first: bigint; last: bigint } {
  const range = toIpNumRange(cidr);
  return { first: range.getFirst().getValue(), last: range.getLast().getValue() };
}

/**
 * Addresses of a node's pod block that can go to pods. IPv4 loses the network and broadcast
 * addresses (a /24 holds 254 pods); IPv6 has no broadcast but loses the block's first address, the
 * subnet-router anycast (RFC 4291 2.6.1). A block with fewer than two host bits (/31, /32, /127,
 * /128) holds none: host-local and the other Kubernetes-style allocators refuse it as "too small to
 * allocate from". Bridge-based plugins (flannel, kubenet) also take one address per node for the
 * bridge: the plan's message says so rather than guessing the plugin.
 */
export function usablePodAddresses(family: IpFamily, prefixLength: number): bigint {
  const size = blockAddressCount(family, prefixLength);
  if (prefixLength > (family === 4 ? 30 : 126)) return 0n;
  return family === 4 ? size - 2n : size - 1n;
}

/**
 * Addresses of a Service range that can become ClusterIPs. The API server's allocator never
 * hands out the range's first address (the network address) nor, for IPv4, its last (the
 * broadcast address), whatever the prefix length: a /31 holds no ClusterIP, a /30 two.
 */
export function usableServiceAddresses(cidr: Cidr): bigint {
  const reserved = cidr.family === 4 ? 2n : 1n;
  const size = addressCount(cidr);
  return size > reserved ? size - reserved : 0n;
}

/** The addresses the Service IP allocator never hands out: the network address and, for IPv4, the broadcast address. */
export function reservedServiceAddresses(cidr: Cidr): bigint[] {
  const { first, last } = rangeEnds(cidr);
  return cidr.family === 4 && last !== first ? [first, last] : [first];
}

/** Writes an address the way kubectl users read it: dotted quad, or compressed IPv6. */
export function formatIpAddress(address: ParsedAddress): string {
  return formatAddress(address.value, address.family);
}
