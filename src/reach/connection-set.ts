import { PROTOCOLS, type Protocol } from '../model/types.js';

/** The lowest and highest port NetworkPolicy talks about. */
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** The two ICMP families: ICMP (IP protocol 1) and ICMPv6 (IP protocol 58). */
export type IcmpFamily = 'ICMP' | 'ICMPv6';

/** ICMP families in the order outputs list them. */
export const ICMP_FAMILIES: readonly IcmpFamily[] = ['ICMP', 'ICMPv6'];

/** The IP protocol numbers of the protocols that have dimensions of their own. */
const PROTOCOL_NUMBERS: Readonly<Record<Protocol | IcmpFamily, number>> = { ICMP: 1, TCP: 6, UDP: 17, ICMPv6: 58, SCTP: 132 };

/**
 * Names of the IP protocols without ports that policies name (Calico's protocol names, NCA's
 * output), by IANA number; any other protocol is written by its number.
 */
const OTHER_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  0: 'HOPOPT', 2: 'IGMP', 4: 'IPIP', 8: 'EGP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 89: 'OSPF', 103: 'PIM', 112: 'VRRP',
  115: 'L2TP', 136: 'UDPLite', 137: 'MPLS-in-IP',
};

/** Sorted, disjoint, non-adjacent inclusive intervals, flattened as [from0, to0, from1, to1, ...]. */
type Intervals = readonly number[];

const NONE: Intervals = Object.freeze([]);
const EVERY_PORT: Intervals = Object.freeze([MIN_PORT, MAX_PORT]);
/** Every ICMP message, keyed `type × 256 + code` (types and codes are 0-255). */
const EVERY_ICMP: Intervals = Object.freeze([0, 65535]);
/** Every IP protocol number that has no dimension of its own (all but 1, 6, 17, 58 and 132). */
const EVERY_OTHER: Intervals = Object.freeze([0, 0, 2, 5, 7, 16, 18, 57, 59, 131, 133, 255]);

/** Returns `every` when `intervals` holds the same values, so that whole dimensions compare by identity. */
function canonical(intervals: number[], every: Intervals): Intervals {
  if (intervals.length === 0) return NONE;
  return sameIntervals(intervals, every) ? every : intervals;
}

function unionIntervals(a: Intervals, b: Intervals, every: Intervals): Intervals {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  if (a === every || b === every) return every;
  const all: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) all.push([a[i], a[i + 1]]);
  for (let i = 0; i < b.length; i += 2) all.push([b[i], b[i + 1]]);
  all.sort((x, y) => x[0] - y[0]);
  const result: number[] = [];
  for (const [from, to] of all) {
    const last = result.length - 1;
    // Adjacent intervals merge too (8081 and 8082 print as 8081-8082).
    if (last > 0 && from <= result[last] + 1) result[last] = Math.max(result[last], to);
    else result.push(from, to);
  }
  return canonical(result, every);
}

function intersectIntervals(a: Intervals, b: Intervals, every: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return NONE;
  if (a === every) return b;
  if (b === every) return a;
  const result: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i], b[j]);
    const to = Math.min(a[i + 1], b[j + 1]);
    if (from <= to) result.push(from, to);
    if (a[i + 1] < b[j + 1]) i += 2;
    else j += 2;
  }
  return canonical(result, every);
}

function subtractIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return a;
  const result: number[] = [];
  for (let i = 0; i < a.length; i += 2) {
    let from = a[i];
    const to = a[i + 1];
    for (let j = 0; j < b.length && from <= to; j += 2) {
      if (b[j + 1] < from || b[j] > to) continue;
      if (b[j] > from) result.push(from, b[j] - 1);
      from = b[j + 1] + 1;
    }
    if (from <= to) result.push(from, to);
  }
  return result.length === 0 ? NONE : result;
}

function sameIntervals(a: Intervals, b: Intervals): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function containsValue(intervals: Intervals, value: number): boolean {
  for (let i = 0; i < intervals.length; i += 2) {
    if (value < intervals[i]) return false;
    if (value <= intervals[i + 1]) return true;
  }
  return false;
}

function range(from: number, to: number): string {
  return from === to ? `${from}` : `${from}-${to}`;
}

/** The dimensions of the protocols without ports, kept apart: most sets hold all of them or none. */
interface NonPort {
  readonly icmp: Intervals;
  readonly icmpv6: Intervals;
  readonly other: Intervals;
}

const NO_NON_PORT: NonPort = Object.freeze({ icmp: NONE, icmpv6: NONE, other: NONE });
const EVERY_NON_PORT: NonPort = Object.freeze({ icmp: EVERY_ICMP, icmpv6: EVERY_ICMP, other: EVERY_OTHER });

function nonPort(icmp: Intervals, icmpv6: Intervals, other: Intervals): NonPort {
  if (icmp.length === 0 && icmpv6.length === 0 && other.length === 0) return NO_NON_PORT;
  if (icmp === EVERY_ICMP && icmpv6 === EVERY_ICMP && other === EVERY_OTHER) return EVERY_NON_PORT;
  return { icmp, icmpv6, other };
}

function unionNonPort(a: NonPort, b: NonPort): NonPort {
  if (a === b || b === NO_NON_PORT || a === EVERY_NON_PORT) return a;
  if (a === NO_NON_PORT || b === EVERY_NON_PORT) return b;
  return nonPort(unionIntervals(a.icmp, b.icmp, EVERY_ICMP), unionIntervals(a.icmpv6, b.icmpv6, EVERY_ICMP), unionIntervals(a.other, b.other, EVERY_OTHER));
}

function intersectNonPort(a: NonPort, b: NonPort): NonPort {
  if (a === b || b === EVERY_NON_PORT || a === NO_NON_PORT) return a;
  if (b === NO_NON_PORT || a === EVERY_NON_PORT) return b;
  return nonPort(intersectIntervals(a.icmp, b.icmp, EVERY_ICMP), intersectIntervals(a.icmpv6, b.icmpv6, EVERY_ICMP), intersectIntervals(a.other, b.other, EVERY_OTHER));
}

function subtractNonPort(a: NonPort, b: NonPort): NonPort {
  if (b === NO_NON_PORT || a === NO_NON_PORT) return a;
  if (a === b || b === EVERY_NON_PORT) return NO_NON_PORT;
  return nonPort(subtractIntervals(a.icmp, b.icmp), subtractIntervals(a.icmpv6, b.icmpv6), subtractIntervals(a.other, b.other));
}

/**
 * The port connections of one run of source ports: `ports` holds TCP, UDP and SCTP destination
 * ports only (never source-port pieces of its own, never protocols without ports).
 */
interface SourcePortPiece {
  readonly from: number;
  readonly to: number;
  readonly ports: ConnectionSet;
}

/**
 * An immutable set of connections: (protocol, port) pairs for TCP, UDP and SCTP, (type, code)
 * pairs for ICMP and ICMPv6, and every other IP protocol as a whole, kept as intervals per
 * dimension (np-guard's connection-set algebra, extended with what Calico and Cilium policies
 * decide). `ALL` is every connection of every protocol: what a NetworkPolicy rule without
 * `ports` allows ("traffic not restricted by port").
 *
 * TCP, UDP and SCTP connections also have a source port, which only Calico's rules name
 * (`source.ports`). A set that treats every source port alike (every set no such rule made) is
 * its three port dimensions; one that does not also holds `pieces`: the source ports
 * MIN_PORT..MAX_PORT cut into runs, each with the destination ports it holds, adjacent runs
 * different (a canonical form, so that equal sets have equal pieces). Its port dimensions then
 * hold what every source port has, which is what `contains` and `portRanges` answer.
 */
export class ConnectionSet {
  /** No connection at all. */
  static readonly EMPTY = new ConnectionSet(NONE, NONE, NONE, NO_NON_PORT);
  /** Every connection of every protocol. */
  static readonly ALL = new ConnectionSet(EVERY_PORT, EVERY_PORT, EVERY_PORT, EVERY_NON_PORT);
  /** Every port of TCP, UDP and SCTP, and nothing else. */
  static readonly EVERY_PORT_PROTOCOL = new ConnectionSet(EVERY_PORT, EVERY_PORT, EVERY_PORT, NO_NON_PORT);
  /** ICMP, ICMPv6 and every IP protocol without ports: what no port list can name. */
  static readonly EVERY_NON_PORT_PROTOCOL = new ConnectionSet(NONE, NONE, NONE, EVERY_NON_PORT);

  private text: string | undefined;

  private constructor(
    private readonly sctp: Intervals,
    private readonly tcp: Intervals,
    private readonly udp: Intervals,
    /** ICMP, ICMPv6 and the other protocols: a shared constant unless a policy names some of them. */
    private readonly extra: NonPort,
    /** Runs of source ports with different port connections; undefined when every source port has the same. */
    private readonly pieces: readonly SourcePortPiece[] | undefined = undefined,
  ) {}

  private get icmp(): Intervals {
    return this.extra.icmp;
  }

  private get icmpv6(): Intervals {
    return this.extra.icmpv6;
  }

  private get other(): Intervals {
    return this.extra.other;
  }

  /** Returns the set of ports `from`..`to` (inclusive) of one protocol. */
  static ofPorts(protocol: Protocol, from: number, to: number = from): ConnectionSet {
    const low = Math.max(from, MIN_PORT);
    const high = Math.min(to, MAX_PORT);
    if (low > high) return ConnectionSet.EMPTY;
    const intervals = low === MIN_PORT && high === MAX_PORT ? EVERY_PORT : [low, high];
    return ConnectionSet.make(protocol === 'SCTP' ? intervals : NONE, protocol === 'TCP' ? intervals : NONE, protocol === 'UDP' ? intervals : NONE, NO_NON_PORT);
  }

  /** Returns every port of one protocol. */
  static ofProtocol(protocol: Protocol): ConnectionSet {
    return ConnectionSet.ofPorts(protocol, MIN_PORT, MAX_PORT);
  }

  /**
   * Returns ICMP (or ICMPv6) messages: every one without a type, every code of `type` without a
   * code, or one type and code. Types and codes outside 0-255 give the empty set.
   */
  static ofIcmp(family: IcmpFamily, type?: number, code?: number): ConnectionSet {
    let intervals: Intervals;
    if (type === undefined) intervals = EVERY_ICMP;
    else if (!isByte(type) || (code !== undefined && !isByte(code))) return ConnectionSet.EMPTY;
    else intervals = code === undefined ? [type * 256, type * 256 + 255] : [type * 256 + code, type * 256 + code];
    return ConnectionSet.make(NONE, NONE, NONE, nonPort(family === 'ICMP' ? intervals : NONE, family === 'ICMPv6' ? intervals : NONE, NONE));
  }

  /**
   * Returns every connection of the IP protocol `number` (0-255): every port of TCP, UDP or
   * SCTP, every ICMP or ICMPv6 message, or the protocol as a whole.
   */
  static ofProtocolNumber(number: number): ConnectionSet {
    if (!isByte(number)) return ConnectionSet.EMPTY;
    switch (number) {
      case PROTOCOL_NUMBERS.TCP: return ConnectionSet.ofProtocol('TCP');
      case PROTOCOL_NUMBERS.UDP: return ConnectionSet.ofProtocol('UDP');
      case PROTOCOL_NUMBERS.SCTP: return ConnectionSet.ofProtocol('SCTP');
      case PROTOCOL_NUMBERS.ICMP: return ConnectionSet.ofIcmp('ICMP');
      case PROTOCOL_NUMBERS.ICMPv6: return ConnectionSet.ofIcmp('ICMPv6');
      default: return ConnectionSet.make(NONE, NONE, NONE, nonPort(NONE, NONE, [number, number]));
    }
  }

  /**
   * Returns the IP protocol number a name stands for (`TCP`, `icmp`, `ICMPv6`, `GRE`, `VRRP`,
   * case-insensitive), or undefined for a name it does not know.
   */
  static protocolNumberOf(name: string): number | undefined {
    const wanted = name.toLowerCase();
    for (const [known, number] of Object.entries(PROTOCOL_NUMBERS)) if (known.toLowerCase() === wanted) return number;
    for (const [number, known] of Object.entries(OTHER_PROTOCOL_NAMES)) if (known.toLowerCase() === wanted) return Number(number);
    return undefined;
  }

  private static make(sctp: Intervals, tcp: Intervals, udp: Intervals, extra: NonPort): ConnectionSet {
    if (extra === NO_NON_PORT) {
      if (sctp.length === 0 && tcp.length === 0 && udp.length === 0) return ConnectionSet.EMPTY;
      // The sets the policies produce most are shared, and compare by identity.
      if (sctp === EVERY_PORT && tcp === EVERY_PORT && udp === EVERY_PORT) return ConnectionSet.EVERY_PORT_PROTOCOL;
    } else if (extra === EVERY_NON_PORT) {
      if (sctp === EVERY_PORT && tcp === EVERY_PORT && udp === EVERY_PORT) return ConnectionSet.ALL;
      if (sctp.length === 0 && tcp.length === 0 && udp.length === 0) return ConnectionSet.EVERY_NON_PORT_PROTOCOL;
    }
    return new ConnectionSet(sctp, tcp, udp, extra);
  }

  /**
   * Returns the TCP, UDP and SCTP connections of this set whose source port is in `ranges`
   * (inclusive `[from, to]` pairs, any order): what a rule naming source ports matches. Protocols
   * without ports have no source port, so none of them is kept.
   */
  fromSourcePorts(ranges: readonly (readonly [number, number])[]): ConnectionSet {
    let kept: Intervals = NONE;
    for (const [from, to] of ranges) {
      const low = Math.max(from, MIN_PORT);
      const high = Math.min(to, MAX_PORT);
      if (low <= high) kept = unionIntervals(kept, [low, high], EVERY_PORT);
    }
    if (kept === EVERY_PORT) return this.portPart();
    const pieces: SourcePortPiece[] = [];
    let next = MIN_PORT;
    const portPart = this.portPart();
    // Sets already split by source port keep their pieces inside the kept runs.
    for (let i = 0; i < kept.length; i += 2) {
      if (kept[i] > next) pieces.push({ from: next, to: kept[i] - 1, ports: ConnectionSet.EMPTY });
      pieces.push({ from: kept[i], to: kept[i + 1], ports: ConnectionSet.EVERY_PORT_PROTOCOL });
      next = kept[i + 1] + 1;
    }
    if (next <= MAX_PORT) pieces.push({ from: next, to: MAX_PORT, ports: ConnectionSet.EMPTY });
    const mask = ConnectionSet.fromPieces(pieces, NO_NON_PORT);
    return portPart.intersect(mask);
  }

  /** Returns true when some TCP, UDP or SCTP connection is in the set for some source ports and not for others. */
  dependsOnSourcePort(): boolean {
    return this.pieces !== undefined;
  }

  /**
   * Returns the source ports from which `port` of `protocol` is in the set, as `[from, to]`
   * pairs: every port (MIN_PORT..MAX_PORT) when the set holds it whatever the source port, none
   * when it does not hold it at all.
   */
  sourcePortsOf(protocol: Protocol, port: number): [number, number][] {
    if (this.pieces === undefined) return this.contains(protocol, port) ? [[MIN_PORT, MAX_PORT]] : [];
    const result: number[] = [];
    for (const piece of this.pieces) {
      if (!piece.ports.contains(protocol, port)) continue;
      if (result.length > 0 && result[result.length - 1] + 1 === piece.from) result[result.length - 1] = piece.to;
      else result.push(piece.from, piece.to);
    }
    return pairs(result);
  }

  /** Returns the connections the set holds from at least one source port (the set itself when no source port matters). */
  fromSomeSourcePort(): ConnectionSet {
    if (this.pieces === undefined) return this;
    return this.pieces.reduce((set, piece) => set.union(piece.ports), ConnectionSet.make(NONE, NONE, NONE, this.extra));
  }

  /** The pieces of a set: its own, or one piece of every source port. */
  private sourcePieces(): readonly SourcePortPiece[] {
    return this.pieces ?? [{ from: MIN_PORT, to: MAX_PORT, ports: this.portPart() }];
  }

  /**
   * Combines two sets piece by piece over their source-port runs (`combine` takes and gives
   * port-only sets without pieces), with `extra` for the protocols without ports.
   */
  private static bySourcePort(a: ConnectionSet, b: ConnectionSet, combine: (a: ConnectionSet, b: ConnectionSet) => ConnectionSet, extra: NonPort): ConnectionSet {
    const left = a.sourcePieces();
    const right = b.sourcePieces();
    const pieces: SourcePortPiece[] = [];
    let i = 0;
    let j = 0;
    let from = MIN_PORT;
    while (i < left.length && j < right.length) {
      const to = Math.min(left[i].to, right[j].to);
      pieces.push({ from, to, ports: combine(left[i].ports, right[j].ports) });
      from = to + 1;
      if (left[i].to === to) i++;
      if (right[j].to === to) j++;
    }
    return ConnectionSet.fromPieces(pieces, extra);
  }

  /** The canonical set of pieces covering MIN_PORT..MAX_PORT: adjacent equal runs merged, one run a set without pieces. */
  private static fromPieces(pieces: readonly SourcePortPiece[], extra: NonPort): ConnectionSet {
    const merged: SourcePortPiece[] = [];
    for (const piece of pieces) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last.ports.equals(piece.ports)) merged[merged.length - 1] = { from: last.from, to: piece.to, ports: last.ports };
      else merged.push(piece);
    }
    if (merged.length === 1) {
      const only = merged[0].ports;
      return ConnectionSet.make(only.sctp, only.tcp, only.udp, extra);
    }
    // What every source port has: the port dimensions' answer.
    let common = merged[0].ports;
    for (const piece of merged) common = common.intersect(piece.ports);
    return new ConnectionSet(common.sctp, common.tcp, common.udp, extra, merged);
  }

  private intervals(protocol: Protocol): Intervals {
    return protocol === 'TCP' ? this.tcp : protocol === 'UDP' ? this.udp : this.sctp;
  }

  /** Returns the connections in this set or in `other`. */
  union(other: ConnectionSet): ConnectionSet {
    if (this === ConnectionSet.ALL || other === ConnectionSet.EMPTY) return this;
    if (other === ConnectionSet.ALL || this === ConnectionSet.EMPTY) return other;
    if (this.pieces !== undefined || other.pieces !== undefined) return ConnectionSet.bySourcePort(this, other, (a, b) => a.union(b), unionNonPort(this.extra, other.extra));
    // Written out per dimension: the matrix unions and intersects millions of sets.
    return ConnectionSet.make(
      unionIntervals(this.sctp, other.sctp, EVERY_PORT), unionIntervals(this.tcp, other.tcp, EVERY_PORT), unionIntervals(this.udp, other.udp, EVERY_PORT),
      unionNonPort(this.extra, other.extra),
    );
  }

  /** Returns the connections in both this set and `other`. */
  intersect(other: ConnectionSet): ConnectionSet {
    if (this === ConnectionSet.ALL || other === ConnectionSet.EMPTY) return other;
    if (other === ConnectionSet.ALL || this === ConnectionSet.EMPTY) return this;
    if (this.pieces !== undefined || other.pieces !== undefined) return ConnectionSet.bySourcePort(this, other, (a, b) => a.intersect(b), intersectNonPort(this.extra, other.extra));
    return ConnectionSet.make(
      intersectIntervals(this.sctp, other.sctp, EVERY_PORT), intersectIntervals(this.tcp, other.tcp, EVERY_PORT), intersectIntervals(this.udp, other.udp, EVERY_PORT),
      intersectNonPort(this.extra, other.extra),
    );
  }

  /** Returns the connections in this set that are not in `other`. */
  subtract(other: ConnectionSet): ConnectionSet {
    if (other === ConnectionSet.EMPTY || this === ConnectionSet.EMPTY) return this;
    if (other === ConnectionSet.ALL) return ConnectionSet.EMPTY;
    if (this.pieces !== undefined || other.pieces !== undefined) return ConnectionSet.bySourcePort(this, other, (a, b) => a.subtract(b), subtractNonPort(this.extra, other.extra));
    return ConnectionSet.make(
      subtractIntervals(this.sctp, other.sctp), subtractIntervals(this.tcp, other.tcp), subtractIntervals(this.udp, other.udp),
      subtractNonPort(this.extra, other.extra),
    );
  }

  /** Returns true when no connection is in the set. */
  isEmpty(): boolean {
    return this === ConnectionSet.EMPTY;
  }

  /** Returns true when every connection of every protocol is in the set. */
  isAll(): boolean {
    return this === ConnectionSet.ALL;
  }

  /** Returns true when `port` of `protocol` is in the set. */
  contains(protocol: Protocol, port: number): boolean {
    return containsValue(this.intervals(protocol), port);
  }

  /** Returns true when the ICMP (or ICMPv6) message of `type` and `code` is in the set. */
  containsIcmp(family: IcmpFamily, type: number, code: number): boolean {
    return containsValue(family === 'ICMP' ? this.icmp : this.icmpv6, type * 256 + code);
  }

  /**
   * Returns true when the set holds IP protocol `number` as a whole: every port of TCP, UDP or
   * SCTP, every ICMP or ICMPv6 message, or the protocol itself.
   */
  containsProtocolNumber(number: number): boolean {
    return isByte(number) && this.covers(ConnectionSet.ofProtocolNumber(number));
  }

  /** Returns true when both sets hold the same connections. */
  equals(other: ConnectionSet): boolean {
    if (this.pieces !== undefined || other.pieces !== undefined) {
      if (this.pieces === undefined || other.pieces === undefined || this.pieces.length !== other.pieces.length) return false;
      if (!this.pieces.every((piece, index) => piece.from === other.pieces![index].from && piece.to === other.pieces![index].to && piece.ports.equals(other.pieces![index].ports))) return false;
    }
    return sameIntervals(this.sctp, other.sctp) && sameIntervals(this.tcp, other.tcp) && sameIntervals(this.udp, other.udp)
      && (this.extra === other.extra || (sameIntervals(this.icmp, other.icmp) && sameIntervals(this.icmpv6, other.icmpv6) && sameIntervals(this.other, other.other)));
  }

  /** Returns true when every connection of `other` is in this set. */
  covers(other: ConnectionSet): boolean {
    return other.subtract(this).isEmpty();
  }

  /** Returns true when the set holds a connection of some protocol that has no ports (ICMP, ICMPv6, GRE, ...). */
  hasNonPortProtocols(): boolean {
    return this.extra !== NO_NON_PORT;
  }

  /** Returns the part of the set that is TCP, UDP and SCTP ports. */
  portPart(): ConnectionSet {
    if (!this.hasNonPortProtocols()) return this;
    return this.pieces === undefined ? ConnectionSet.make(this.sctp, this.tcp, this.udp, NO_NON_PORT) : new ConnectionSet(this.sctp, this.tcp, this.udp, NO_NON_PORT, this.pieces);
  }

  /** Returns the port intervals of one protocol as `[from, to]` pairs (for a set split by source port, those of every source port). */
  portRanges(protocol: Protocol): [number, number][] {
    return pairs(this.intervals(protocol));
  }

  /**
   * Formats the set as np-guard does: `All Connections`, `No Connections`, or protocol groups in
   * alphabetical order joined by commas, e.g. `SCTP 7070,TCP 8080-8081,UDP 9090`.
   *
   * np-guard's connections are TCP, UDP and SCTP ports, and its `All Connections` means every port
   * of the three; so ICMP and the protocols without ports are written (after the port groups, as
   * `TCP 80,ICMP 8/0,VRRP`) only when the set holds some of them and not all, which only policies
   * beyond NetworkPolicy decide. A set of every port and none of them (a NetworkPolicy rule that
   * lists TCP, UDP and SCTP) or all of them prints `All Connections`; a set of only such
   * protocols, all of them, prints `All but SCTP,TCP,UDP` (NCA's vocabulary). Connections held
   * only from some source ports follow, each protocol group with them: `UDP 53 (source ports
   * 80-100)`. `describe` and `toJSON` are exact.
   */
  toString(): string {
    if (this === ConnectionSet.ALL) return 'All Connections';
    if (this === ConnectionSet.EMPTY) return 'No Connections';
    // Sets are immutable and shared by many matrix lines: format each once.
    if (this.text === undefined && this.pieces !== undefined) {
      // What every source port has, then each protocol group with the source ports it needs.
      const common = this.portGroups();
      // Every protocol without ports and no port of every source port: NCA's `All but SCTP,TCP,UDP`, then the rest.
      const nonPort = this.extra === NO_NON_PORT ? [] : this.extra === EVERY_NON_PORT ? (common.length === 0 ? ['All but SCTP,TCP,UDP'] : []) : this.nonPortGroups();
      const bySource = this.sourcePortGroups().flatMap(({ sourcePorts, ports }) => ports.portGroups().map((group) => `${group} (source ports ${sourcePorts})`));
      this.text = [...common, ...nonPort, ...bySource].join(',');
    }
    if (this.text === undefined) {
      const nonPortNone = this.extra === NO_NON_PORT;
      const nonPortWhole = this.extra === EVERY_NON_PORT;
      const portsWhole = this.sctp === EVERY_PORT && this.tcp === EVERY_PORT && this.udp === EVERY_PORT;
      const ports = this.portGroups();
      if (nonPortNone || nonPortWhole) {
        this.text = portsWhole ? 'All Connections' : ports.length > 0 ? ports.join(',') : 'All but SCTP,TCP,UDP';
      } else {
        this.text = [...ports, ...this.nonPortGroups()].join(',');
      }
    }
    return this.text;
  }

  /**
   * Formats the set for people: `TCP 80,443; UDP 53`, `ICMP 8/0`, `all ports and protocols`,
   * `all TCP, UDP and SCTP ports`, `nothing`, or, for a set that lacks only some ports,
   * `everything but TCP 80`.
   */
  describe(): string {
    if (this === ConnectionSet.ALL) return 'all ports and protocols';
    if (this === ConnectionSet.EMPTY) return 'nothing';
    if (this === ConnectionSet.EVERY_PORT_PROTOCOL) return 'all TCP, UDP and SCTP ports';
    const byParts = this.pieces === undefined ? undefined : this.describeBySourcePort();
    if (this.extra === EVERY_NON_PORT) {
      // A set that lacks a little reads best by what it lacks; split by source port, whichever is shorter.
      const lacking = `everything but ${ConnectionSet.ALL.subtract(this).describe()}`;
      return byParts !== undefined && byParts.length < lacking.length ? byParts : lacking;
    }
    if (byParts !== undefined) return byParts;
    return [...this.portGroups(), ...this.nonPortGroups()].join('; ');
  }

  /** A set split by source port for people: what every source port has, then each group with its source ports. */
  private describeBySourcePort(): string {
    const common = ConnectionSet.make(this.sctp, this.tcp, this.udp, this.extra);
    const bySource = this.sourcePortGroups().flatMap(({ sourcePorts, ports }) => ports.portGroups().map((group) => `${group} from source ports ${sourcePorts}`));
    return [...(common.isEmpty() ? [] : [common.describe()]), ...bySource].join('; ');
  }

  /**
   * For a set split by source port: the port connections beyond those of every source port,
   * grouped by the source ports that have them (`80-100,443`), in the order of their lowest source port.
   */
  private sourcePortGroups(): { sourcePorts: string; sourceRanges: [number, number][]; ports: ConnectionSet }[] {
    const common = ConnectionSet.make(this.sctp, this.tcp, this.udp, NO_NON_PORT);
    const groups: { sourceRanges: [number, number][]; ports: ConnectionSet }[] = [];
    for (const piece of this.pieces ?? []) {
      const beyond = piece.ports.subtract(common);
      if (beyond.isEmpty()) continue;
      const group = groups.find((candidate) => candidate.ports.equals(beyond));
      if (group) group.sourceRanges.push([piece.from, piece.to]);
      else groups.push({ sourceRanges: [[piece.from, piece.to]], ports: beyond });
    }
    return groups.map((group) => ({ ...group, sourcePorts: group.sourceRanges.map(([from, to]) => range(from, to)).join(',') }));
  }

  /** `PROTOCOL ports` for each of SCTP, TCP and UDP that has ports in the set. */
  private portGroups(): string[] {
    const groups: string[] = [];
    for (const protocol of PROTOCOLS) {
      const intervals = this.intervals(protocol);
      if (intervals.length === 0) continue;
      const items: string[] = [];
      for (let i = 0; i < intervals.length; i += 2) items.push(range(intervals[i], intervals[i + 1]));
      groups.push(`${protocol} ${items.join(',')}`);
    }
    return groups;
  }

  /** `ICMP`, `ICMP 0,8/0`, `ICMPv6 128`, `VRRP`, `protocol 143-252`: the protocols without ports. */
  private nonPortGroups(): string[] {
    const groups: string[] = [];
    for (const family of ICMP_FAMILIES) {
      const intervals = family === 'ICMP' ? this.icmp : this.icmpv6;
      if (intervals.length === 0) continue;
      groups.push(intervals === EVERY_ICMP ? family : `${family} ${icmpItems(intervals).map(formatIcmpItem).join(',')}`);
    }
    for (const [from, to] of pairs(this.other)) {
      for (let number = from; number <= to;) {
        const name = OTHER_PROTOCOL_NAMES[number];
        if (name) {
          groups.push(name);
          number++;
          continue;
        }
        // A run of numbers without names is written as one range.
        let last = number;
        while (last < to && OTHER_PROTOCOL_NAMES[last + 1] === undefined) last++;
        groups.push(`protocol ${range(number, last)}`);
        number = last + 1;
      }
    }
    return groups;
  }

  /**
   * A JSON form: `{"TCP": [[80, 80], [8000, 8080]], "ICMP": [{"type": [8, 8]}, {"type": 3, "code": [1, 1]}],
   * "otherProtocols": [[47, 47]]}` with only the non-empty dimensions. ICMP entries are runs of
   * whole types, or one type with a run of its codes; `"all"` stands for every ICMP (ICMPv6)
   * message or every other IP protocol.
   */
  toJSON(): ConnectionSetJson {
    const json: ConnectionSetJson = {};
    for (const protocol of PROTOCOLS) {
      const ranges = this.portRanges(protocol);
      if (ranges.length > 0) json[protocol] = ranges;
    }
    if (this.icmp.length > 0) json.ICMP = this.icmp === EVERY_ICMP ? 'all' : icmpItems(this.icmp).map(icmpJson);
    if (this.icmpv6.length > 0) json.ICMPv6 = this.icmpv6 === EVERY_ICMP ? 'all' : icmpItems(this.icmpv6).map(icmpJson);
    if (this.other.length > 0) json.otherProtocols = this.other === EVERY_OTHER ? 'all' : pairs(this.other);
    if (this.pieces !== undefined) {
      json.fromSourcePorts = this.sourcePortGroups().map(({ sourceRanges, ports }) => ({ sourcePorts: sourceRanges, ...ports.toJSON() }));
    }
    return json;
  }
}

/** The JSON form of a {@link ConnectionSet}. */
export type ConnectionSetJson = Partial<Record<Protocol, [number, number][]>> & {
  ICMP?: IcmpJson[] | 'all';
  ICMPv6?: IcmpJson[] | 'all';
  otherProtocols?: [number, number][] | 'all';
  /**
   * TCP, UDP and SCTP connections the set holds only from some source ports (Calico's
   * `source.ports`), beyond the ones above, which it holds from every source port.
   */
  fromSourcePorts?: ({ sourcePorts: [number, number][] } & Partial<Record<Protocol, [number, number][]>>)[];
};

/** ICMP messages in JSON: a run of whole types, or one type and a run of its codes. */
export type IcmpJson = { type: [number, number] } | { type: number; code: [number, number] };

/** A run of whole ICMP types, or one type with a run of codes. */
type IcmpItem = { readonly types: [number, number] } | { readonly type: number; readonly codes: [number, number] };

function isByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 255;
}

function pairs(intervals: Intervals): [number, number][] {
  const result: [number, number][] = [];
  for (let i = 0; i < intervals.length; i += 2) result.push([intervals[i], intervals[i + 1]]);
  return result;
}

/** Splits `type × 256 + code` intervals into runs of whole types and partial types. */
function icmpItems(intervals: Intervals): IcmpItem[] {
  const items: IcmpItem[] = [];
  for (let i = 0; i < intervals.length; i += 2) {
    let from = intervals[i];
    const to = intervals[i + 1];
    while (from <= to) {
      const type = Math.floor(from / 256);
      const typeEnd = type * 256 + 255;
      if (from % 256 === 0 && to >= typeEnd) {
        // Whole types from here: as many as the interval covers.
        const lastType = Math.floor((to + 1) / 256) - 1;
        items.push({ types: [type, lastType] });
        from = (lastType + 1) * 256;
      } else {
        const end = Math.min(to, typeEnd);
        items.push({ type, codes: [from % 256, end % 256] });
        from = end + 1;
      }
    }
  }
  return items;
}

function formatIcmpItem(item: IcmpItem): string {
  return 'types' in item ? range(item.types[0], item.types[1]) : `${item.type}/${range(item.codes[0], item.codes[1])}`;
}

function icmpJson(item: IcmpItem): IcmpJson {
  return 'types' in item ? { type: item.types } : { type: item.type, code: item.codes };
}
