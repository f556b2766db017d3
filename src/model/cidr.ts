/** An IP address family. */
export type IpFamily = 4 | 6;

/** An inclusive range of addresses of one family, as integers. */
export interface AddressRange {
  readonly first: bigint;
  readonly last: bigint;
}

/** A parsed CIDR. */
export interface Cidr {
  readonly family: IpFamily;
  readonly prefixLength: number;
  /** The network address and the last address of the range. */
  readonly range: AddressRange;
  /** True when the address has bits set beyond the prefix (`10.0.0.1/8`); the API server masks them. */
  readonly hostBitsSet: boolean;
  /** The canonical form: `10.0.0.0/8`. */
  readonly text: string;
}

/** The addresses an ipBlock matches: its CIDR less the exceptions, as sorted disjoint ranges. */
export interface IpBlockRanges {
  readonly family: IpFamily;
  readonly ranges: readonly AddressRange[];
}

const parsedCidrs = new Map<string, Cidr | { error: string }>();

/** Parses a CIDR such as `10.0.0.0/8` or `2001:db8::/32`; returns a plain-language error otherwise. */
export function parseCidr(text: string): Cidr | { error: string } {
  // Manifests repeat the same few CIDRs thousands of times; the results are immutable.
  let parsed = parsedCidrs.get(text);
  if (!parsed) {
    parsed = parseCidrText(text);
    parsedCidrs.set(text, parsed);
  }
  return parsed;
}

function parseCidrText(text: string): Cidr | { error: string } {
  const trimmed = text.trim();
  // The API server parses CIDRs as they are written (net.ParseCIDR): a space or the newline a
  // block scalar (`cidr: |`) leaves at the end makes it refuse the value. (Callers reading the
  // fields it trims, loadBalancerSourceRanges, trim first.)
  if (trimmed !== text) {
    return { error: `${JSON.stringify(text)} is not a valid CIDR: it has ${/[\r\n]/.test(text) ? 'a line break' : 'white space'} around ${trimmed === '' ? 'nothing' : trimmed} (write it without)` };
  }
  const slash = trimmed.indexOf('/');
  if (slash === -1) return { error: `'${text}' is not a CIDR: it has no prefix length (write ${trimmed}/${trimmed.includes(':') ? 128 : 32} for one address)` };
  const address = trimmed.slice(0, slash);
  const prefixText = trimmed.slice(slash + 1);
  const family: IpFamily = address.includes(':') ? 6 : 4;
  const maxPrefix = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) {
    return { error: `'${text}' has prefix length '${prefixText}', outside 0-${maxPrefix} for IPv${family}` };
  }
  const prefixLength = Number(prefixText);
  let value: bigint;
  try {
    if (family === 4) {
      const parsed = parseIpv4(address);
      if (parsed === undefined) return { error: `'${text}' is not a valid CIDR: '${address}' is not an IPv4 address` };
      value = parsed;
    } else {
      const parsed = parseIpv6(address);
      if (parsed === undefined) return { error: `'${text}' is not a valid CIDR: '${address}' is not an IPv6 address` };
      value = parsed;
    }
  } catch {
    return { error: `'${text}' is not a valid CIDR` };
  }
  const hostBits = BigInt(maxPrefix - prefixLength);
  const first = (value >> hostBits) << hostBits;
  const last = first + (1n << hostBits) - 1n;
  return {
    family,
    prefixLength,
    range: { first, last },
    hostBitsSet: first !== value,
    text: `${formatAddress(first, family)}/${prefixLength}`,
  };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses a dotted-quad IPv4 address. Leading zeros are read as decimal, as the API server's
 * ParseCIDRSloppy does (`010.0.0.0/8` is admitted as 10.0.0.0/8). IPv4 is parsed here, without
 * ip-num, because manifests are full of it and ip-num costs start-up time.
 */
function parseIpv4(text: string): bigint | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  let value = 0;
  for (let octet = 1; octet <= 4; octet++) {
    const part = Number(match[octet]);
    if (part > 255) return undefined;
    value = value * 256 + part;
  }
  return BigInt(value);
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parses an IPv6 address as Go's net.ParseIP does (the API server's parser): eight groups of one
 * to four hex digits, or fewer around one `::` that stands for at least one zero group, the last
 * 32 bits optionally written as an IPv4 address. Parsed here rather than with ip-num, whose
 * loading alone costs more start-up than most runs spend on addresses.
 */
export function parseIpv6(text: string): bigint | undefined {
  const ellipsis = text.indexOf('::');
  if (ellipsis !== -1 && text.indexOf('::', ellipsis + 1) !== -1) return undefined;
  const groupsOf = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (let index = 0; index < pieces.length; index++) {
      const piece = pieces[index];
      if (last && index === pieces.length - 1 && piece.includes('.')) {
        const ipv4 = parseIpv4(piece);
        if (ipv4 === undefined) return undefined;
        groups.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
      } else if (HEX_GROUP.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  let groups: number[] | undefined;
  if (ellipsis === -1) {
    groups = groupsOf(text, true);
    if (!groups || groups.length !== 8) return undefined;
  } else {
    const head = groupsOf(text.slice(0, ellipsis), false);
    const tail = groupsOf(text.slice(ellipsis + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  return value;
}

/** Parses a single IP address into its family and integer value. */
export function parseAddress(text: string): { family: IpFamily; value: bigint } | undefined {
  try {
    if (!text.includes(':')) {
      const value = parseIpv4(text);
      return value === undefined ? undefined : { family: 4, value };
    }
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  } catch {
    return undefined;
  }
}

/** Formats an address integer as dotted quad or compressed IPv6. */
export function formatAddress(value: bigint, family: IpFamily): string {
  if (family === 4) {
    // 32 bits fit a Number exactly: no BigInt arithmetic for the addresses manifests are full of.
    const number = Number(value);
    return `${number >>> 24}.${(number >>> 16) & 255}.${(number >>> 8) & 255}.${number & 255}`;
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 asks.
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== '0') { start++; continue; }
    let end = start;
    while (end < 8 && groups[end] === '0') end++;
    if (end - start > bestLength) { bestStart = start; bestLength = end - start; }
    start = end;
  }
  if (bestStart === -1) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

/** Subtracts `holes` from `range`, returning sorted disjoint ranges. */
export function subtractRanges(range: AddressRange, holes: readonly AddressRange[]): AddressRange[] {
  const sorted = [...holes].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const result: AddressRange[] = [];
  let cursor = range.first;
  for (const hole of sorted) {
    if (hole.last < cursor || hole.first > range.last) continue;
    if (hole.first > cursor) result.push({ first: cursor, last: hole.first - 1n });
    if (hole.last + 1n > cursor) cursor = hole.last + 1n;
    if (cursor > range.last) return result;
  }
  if (cursor <= range.last) result.push({ first: cursor, last: range.last });
  return result;
}

/** Returns address ranges sorted by their first address, overlapping and adjacent ones merged. */
export function mergeRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: AddressRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.first <= last.last + 1n) merged[merged.length - 1] = { first: last.first, last: range.last > last.last ? range.last : last.last };
    else merged.push(range);
  }
  return merged;
}

/**
 * For each CIDR of a list, the index of the first entry (the lowest index) that covers it: an
 * entry of the same family whose range contains it, or, for an equal range, an earlier entry
 * only; -1 when none does (and for undefined entries, which are skipped). Sort and sweep, in
 * O(n log n): two CIDRs are nested or disjoint, so after sorting by start (and, for one start, by
 * size, larger first) the entries containing the current one are exactly the stack of those whose
 * range reaches it. An ipBlock with 100,000 excepts took 87 s compared pair by pair.
 */
export function firstCoveringIndexes(cidrs: readonly (Cidr | undefined)[]): Int32Array {
  const covering = new Int32Array(cidrs.length).fill(-1);
  const order: number[] = [];
  cidrs.forEach((cidr, index) => {
    if (cidr) order.push(index);
  });
  order.sort((a, b) => {
    const left = cidrs[a]!;
    const right = cidrs[b]!;
    if (left.family !== right.family) return left.family - right.family;
    if (left.range.first !== right.range.first) return left.range.first < right.range.first ? -1 : 1;
    if (left.range.last !== right.range.last) return left.range.last > right.range.last ? -1 : 1;
    return a - b;
  });
  // The entries whose range reaches the current one, outermost first, each with the lowest index among it and those below it.
  const reaching: { last: bigint; family: IpFamily; lowestIndex: number }[] = [];
  for (const index of order) {
    const cidr = cidrs[index]!;
    while (reaching.length > 0) {
      const top = reaching[reaching.length - 1];
      if (top.family === cidr.family && top.last >= cidr.range.first) break;
      reaching.pop();
    }
    const below = reaching.length > 0 ? reaching[reaching.length - 1].lowestIndex : -1;
    covering[index] = below;
    reaching.push({ last: cidr.range.last, family: cidr.family, lowestIndex: below === -1 ? index : Math.min(below, index) });
  }
  return covering;
}
