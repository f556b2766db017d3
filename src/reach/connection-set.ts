import { PROTOCOLS, type Protocol } from '../model/types.js';

/** The lowest and highest port NetworkPolicy talks about. */
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** Sorted, disjoint, non-adjacent inclusive intervals, flattened as [from0, to0, from1, to1, ...]. */
type Intervals = readonly number[];

const NONE: Intervals = Object.freeze([]);
const EVERY_PORT: Intervals = Object.freeze([MIN_PORT, MAX_PORT]);

function unionIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  if (a === EVERY_PORT || b === EVERY_PORT) return EVERY_PORT;
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
  return result.length === 2 && result[0] === MIN_PORT && result[1] === MAX_PORT ? EVERY_PORT : result;
}

function intersectIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return NONE;
  if (a === EVERY_PORT) return b;
  if (b === EVERY_PORT) return a;
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
  return result.length === 0 ? NONE : result;
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

function containsPort(intervals: Intervals, port: number): boolean {
  for (let i = 0; i < intervals.length; i += 2) {
    if (port < intervals[i]) return false;
    if (port <= intervals[i + 1]) return true;
  }
  return false;
}

/**
 * An immutable set of (protocol, port) pairs: the connections NetworkPolicy allows between two
 * peers, kept as port intervals per protocol (np-guard's connection-set algebra).
 */
export class ConnectionSet {
  /** No connection at all. */
  static readonly EMPTY = new ConnectionSet(NONE, NONE, NONE);
  /** Every port of every protocol. */
  static readonly ALL = new ConnectionSet(EVERY_PORT, EVERY_PORT, EVERY_PORT);

  private text: string | undefined;

  private constructor(
    private readonly sctp: Intervals,
    private readonly tcp: Intervals,
    private readonly udp: Intervals,
  ) {}

  /** Returns the set of ports `from`..`to` (inclusive) of one protocol. */
  static ofPorts(protocol: Protocol, from: number, to: number = from): ConnectionSet {
    const low = Math.max(from, MIN_PORT);
    const high = Math.min(to, MAX_PORT);
    if (low > high) return ConnectionSet.EMPTY;
    const intervals = low === MIN_PORT && high === MAX_PORT ? EVERY_PORT : [low, high];
    return ConnectionSet.make(protocol === 'SCTP' ? intervals : NONE, protocol === 'TCP' ? intervals : NONE, protocol === 'UDP' ? intervals : NONE);
  }

  /** Returns every port of one protocol. */
  static ofProtocol(protocol: Protocol): ConnectionSet {
    return ConnectionSet.ofPorts(protocol, MIN_PORT, MAX_PORT);
  }

  private static make(sctp: Intervals, tcp: Intervals, udp: Intervals): ConnectionSet {
    if (sctp.length === 0 && tcp.length === 0 && udp.length === 0) return ConnectionSet.EMPTY;
    if (sctp === EVERY_PORT && tcp === EVERY_PORT && udp === EVERY_PORT) return ConnectionSet.ALL;
    return new ConnectionSet(sctp, tcp, udp);
  }

  private intervals(protocol: Protocol): Intervals {
    return protocol === 'TCP' ? this.tcp : protocol === 'UDP' ? this.udp : this.sctp;
  }

  /** Returns the connections in this set or in `other`. */
  union(other: ConnectionSet): ConnectionSet {
    if (this === ConnectionSet.ALL || other === ConnectionSet.EMPTY) return this;
    if (other === ConnectionSet.ALL || this === ConnectionSet.EMPTY) return other;
    return ConnectionSet.make(unionIntervals(this.sctp, other.sctp), unionIntervals(this.tcp, other.tcp), unionIntervals(this.udp, other.udp));
  }

  /** Returns the connections in both this set and `other`. */
  intersect(other: ConnectionSet): ConnectionSet {
    if (this === ConnectionSet.ALL || other === ConnectionSet.EMPTY) return other;
    if (other === ConnectionSet.ALL || this === ConnectionSet.EMPTY) return this;
    return ConnectionSet.make(intersectIntervals(this.sctp, other.sctp), intersectIntervals(this.tcp, other.tcp), intersectIntervals(this.udp, other.udp));
  }

  /** Returns the connections in this set that are not in `other`. */
  subtract(other: ConnectionSet): ConnectionSet {
    if (other === ConnectionSet.EMPTY || this === ConnectionSet.EMPTY) return this;
    if (other === ConnectionSet.ALL) return ConnectionSet.EMPTY;
    return ConnectionSet.make(subtractIntervals(this.sctp, other.sctp), subtractIntervals(this.tcp, other.tcp), subtractIntervals(this.udp, other.udp));
  }

  /** Returns true when no connection is in the set. */
  isEmpty(): boolean {
    return this === ConnectionSet.EMPTY;
  }

  /** Returns true when every port of every protocol is in the set. */
  isAll(): boolean {
    return this === ConnectionSet.ALL;
  }

  /** Returns true when `port` of `protocol` is in the set. */
  contains(protocol: Protocol, port: number): boolean {
    return containsPort(this.intervals(protocol), port);
  }

  /** Returns true when both sets hold the same connections. */
  equals(other: ConnectionSet): boolean {
    return sameIntervals(this.sctp, other.sctp) && sameIntervals(this.tcp, other.tcp) && sameIntervals(this.udp, other.udp);
  }

  /** Returns true when every connection of `other` is in this set. */
  covers(other: ConnectionSet): boolean {
    return other.subtract(this).isEmpty();
  }

  /** Returns the port intervals of one protocol as `[from, to]` pairs. */
  portRanges(protocol: Protocol): [number, number][] {
    const intervals = this.intervals(protocol);
    const ranges: [number, number][] = [];
    for (let i = 0; i < intervals.length; i += 2) ranges.push([intervals[i], intervals[i + 1]]);
    return ranges;
  }

  /**
   * Formats the set as np-guard does: `All Connections`, `No Connections`, or protocol groups in
   * alphabetical order joined by commas, e.g. `SCTP 7070,TCP 8080-8081,UDP 9090`.
   */
  toString(): string {
    if (this === ConnectionSet.ALL) return 'All Connections';
    if (this === ConnectionSet.EMPTY) return 'No Connections';
    // Sets are immutable and shared by many matrix lines: format each once.
    this.text ??= this.groups(',');
    return this.text;
  }

  /** Formats the set for people: `TCP 80,443; UDP 53`, `all ports`, or `nothing`. */
  describe(): string {
    if (this === ConnectionSet.ALL) return 'all ports and protocols';
    if (this === ConnectionSet.EMPTY) return 'nothing';
    return this.groups('; ');
  }

  private groups(separator: string): string {
    const groups: string[] = [];
    for (const protocol of PROTOCOLS) {
      const intervals = this.intervals(protocol);
      if (intervals.length === 0) continue;
      const items: string[] = [];
      for (let i = 0; i < intervals.length; i += 2) {
        items.push(intervals[i] === intervals[i + 1] ? `${intervals[i]}` : `${intervals[i]}-${intervals[i + 1]}`);
      }
      groups.push(`${protocol} ${items.join(',')}`);
    }
    return groups.join(separator);
  }

  /** A JSON form: `{"TCP": [[80, 80], [8000, 8080]], ...}` with only non-empty protocols. */
  toJSON(): Partial<Record<Protocol, [number, number][]>> {
    const json: Partial<Record<Protocol, [number, number][]>> = {};
    for (const protocol of PROTOCOLS) {
      const ranges = this.portRanges(protocol);
      if (ranges.length > 0) json[protocol] = ranges;
    }
    return json;
  }
}
