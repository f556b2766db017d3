/**
 * ConnectionSet, the (protocol, port) algebra of the solver: union, intersection, difference,
 * comparisons, np-guard's string form, the human and JSON forms, and a property test against
 * a naive set of `protocol/port` strings.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConnectionSet, MAX_PORT, MIN_PORT } from '../../src/reach/connection-set.js';
import type { Protocol } from '../../src/model/types.js';

const { ALL, EMPTY } = ConnectionSet;
const ofPorts = (protocol: Protocol, from: number, to?: number) => ConnectionSet.ofPorts(protocol, from, to);
const ofProtocol = (protocol: Protocol) => ConnectionSet.ofProtocol(protocol);

/** The union of the given sets. */
function union(...sets: ConnectionSet[]): ConnectionSet {
  return sets.reduce((result, set) => result.union(set), EMPTY);
}

describe('constants and constructors', () => {
  it('ALL and EMPTY print as np-guard does', () => {
    expect(ALL.toString()).toBe('All Connections');
    expect(EMPTY.toString()).toBe('No Connections');
    expect(ALL.isAll()).toBe(true);
    expect(EMPTY.isEmpty()).toBe(true);
    expect(ALL.isEmpty()).toBe(false);
    expect(EMPTY.isAll()).toBe(false);
    expect([MIN_PORT, MAX_PORT]).toEqual([1, 65535]);
  });

  it('ofPorts: one port, an inclusive range, clamped to 1-65535, empty when reversed', () => {
    expect(ofPorts('TCP', 80).toString()).toBe('TCP 80');
    expect(ofPorts('UDP', 53, 60).toString()).toBe('UDP 53-60');
    expect(ofPorts('TCP', 0, 10).toString()).toBe('TCP 1-10');
    expect(ofPorts('TCP', 65530, 70000).toString()).toBe('TCP 65530-65535');
    expect(ofPorts('TCP', 0).isEmpty()).toBe(true);
    expect(ofPorts('TCP', 70000).isEmpty()).toBe(true);
    expect(ofPorts('TCP', 90, 80)).toBe(EMPTY);
  });

  it('ofProtocol is every port of one protocol, which is not All Connections', () => {
    expect(ofProtocol('SCTP').toString()).toBe('SCTP 1-65535');
    expect(ofProtocol('TCP').equals(ofPorts('TCP', 1, 65535))).toBe(true);
    expect(ofProtocol('TCP').isAll()).toBe(false);
  });
});

describe('union', () => {
  it('merges overlapping and adjacent intervals (8081 + 8082 is 8081-8082)', () => {
    expect(ofPorts('TCP', 8081).union(ofPorts('TCP', 8082)).toString()).toBe('TCP 8081-8082');
    expect(ofPorts('TCP', 8082).union(ofPorts('TCP', 8081)).toString()).toBe('TCP 8081-8082');
    expect(union(ofPorts('TCP', 80, 90), ofPorts('TCP', 85, 100), ofPorts('TCP', 101, 110)).toString()).toBe('TCP 80-110');
    expect(union(ofPorts('TCP', 80), ofPorts('TCP', 82)).toString()).toBe('TCP 80,82');
    expect(union(ofPorts('TCP', 1, 10), ofPorts('TCP', 20, 30), ofPorts('TCP', 11, 19)).toString()).toBe('TCP 1-30');
  });

  it('keeps protocols apart', () => {
    expect(union(ofPorts('TCP', 53), ofPorts('UDP', 53)).toString()).toBe('TCP 53,UDP 53');
    expect(union(ofPorts('TCP', 53), ofPorts('UDP', 54)).contains('UDP', 53)).toBe(false);
  });

  it('is All Connections only when every protocol is whole: TCP, UDP and SCTP ports, ICMP, ICMPv6 and the rest', () => {
    const tcpAndUdp = union(ofProtocol('TCP'), ofProtocol('UDP'));
    expect(tcpAndUdp.isAll()).toBe(false);
    expect(tcpAndUdp.toString()).toBe('TCP 1-65535,UDP 1-65535');
    const almost = union(tcpAndUdp, ofPorts('SCTP', 1, 65534));
    expect(almost.isAll()).toBe(false);
    expect(almost.toString()).toBe('SCTP 1-65534,TCP 1-65535,UDP 1-65535');
    // Every port of the three is not every connection: a NetworkPolicy that lists them leaves ICMP out.
    const everyPort = almost.union(ofPorts('SCTP', 65535));
    expect(everyPort).toBe(ConnectionSet.EVERY_PORT_PROTOCOL);
    expect(everyPort.isAll()).toBe(false);
    // np-guard's All Connections is every port of the three; describe and toJSON are exact.
    expect(everyPort.toString()).toBe('All Connections');
    expect(everyPort.describe()).toBe('all TCP, UDP and SCTP ports');
    expect(everyPort.union(ConnectionSet.ofIcmp('ICMP', 8)).toString()).toBe('SCTP 1-65535,TCP 1-65535,UDP 1-65535,ICMP 8');
    const all = union(everyPort, ConnectionSet.ofIcmp('ICMP'), ConnectionSet.ofIcmp('ICMPv6'), ALL.subtract(everyPort).subtract(union(ConnectionSet.ofIcmp('ICMP'), ConnectionSet.ofIcmp('ICMPv6'))));
    expect(all).toBe(ALL);
    expect(all.toString()).toBe('All Connections');
    // Built from halves, the whole range is still recognised.
    const halves = union(...(['SCTP', 'TCP', 'UDP'] as const).flatMap((protocol) => [ofPorts(protocol, 1, 30000), ofPorts(protocol, 30001, 65535)]));
    expect(halves).toBe(ConnectionSet.EVERY_PORT_PROTOCOL);
    expect(halves.union(ConnectionSet.EVERY_NON_PORT_PROTOCOL)).toBe(ALL);
  });

  it('with EMPTY and ALL', () => {
    const set = ofPorts('TCP', 80);
    expect(set.union(EMPTY)).toBe(set);
    expect(EMPTY.union(set)).toBe(set);
    expect(set.union(ALL)).toBe(ALL);
    expect(ALL.union(set)).toBe(ALL);
  });
});

describe('intersect', () => {
  it('keeps the common ports per protocol', () => {
    expect(ofPorts('TCP', 8000, 9000).intersect(ofPorts('TCP', 8080, 9999)).toString()).toBe('TCP 8080-9000');
    expect(ofPorts('TCP', 80).intersect(ofPorts('UDP', 80)).isEmpty()).toBe(true);
    expect(union(ofPorts('TCP', 1, 10), ofPorts('TCP', 20, 30)).intersect(ofPorts('TCP', 5, 25)).toString()).toBe('TCP 5-10,20-25');
    expect(union(ofPorts('TCP', 1, 10), ofPorts('UDP', 1, 10)).intersect(union(ofPorts('TCP', 10, 20), ofPorts('SCTP', 1, 10))).toString()).toBe('TCP 10');
  });

  it('with EMPTY and ALL', () => {
    const set = union(ofPorts('TCP', 80), ofPorts('UDP', 53));
    expect(set.intersect(ALL)).toBe(set);
    expect(ALL.intersect(set)).toBe(set);
    expect(set.intersect(EMPTY)).toBe(EMPTY);
    expect(ALL.intersect(ALL)).toBe(ALL);
  });
});

describe('subtract', () => {
  it('cuts holes, splitting intervals', () => {
    expect(ALL.subtract(ofPorts('TCP', 8080)).toString()).toBe('SCTP 1-65535,TCP 1-8079,8081-65535,UDP 1-65535');
    expect(ofPorts('TCP', 1, 100).subtract(union(ofPorts('TCP', 1, 10), ofPorts('TCP', 50), ofPorts('TCP', 100))).toString()).toBe('TCP 11-49,51-99');
    expect(ofPorts('TCP', 1, 100).subtract(ofPorts('UDP', 1, 100)).toString()).toBe('TCP 1-100');
    expect(ofPorts('TCP', 10, 20).subtract(ofPorts('TCP', 1, 30))).toBe(EMPTY);
  });

  it('with EMPTY and ALL', () => {
    const set = ofPorts('TCP', 80);
    expect(set.subtract(EMPTY)).toBe(set);
    expect(set.subtract(ALL)).toBe(EMPTY);
    expect(EMPTY.subtract(set)).toBe(EMPTY);
    expect(ALL.subtract(EMPTY)).toBe(ALL);
  });

  it('putting back what was cut restores All Connections', () => {
    const hole = union(ofPorts('TCP', 8080), ofPorts('UDP', 1, 100));
    expect(ALL.subtract(hole).union(hole)).toBe(ALL);
  });
});

describe('comparisons and membership', () => {
  it('equals compares contents, whatever the construction', () => {
    expect(union(ofPorts('TCP', 1, 5), ofPorts('TCP', 6, 10)).equals(ofPorts('TCP', 1, 10))).toBe(true);
    expect(ofPorts('TCP', 1, 10).equals(ofPorts('UDP', 1, 10))).toBe(false);
    expect(ofPorts('TCP', 1, 10).equals(ofPorts('TCP', 1, 9))).toBe(false);
    expect(EMPTY.equals(ofPorts('TCP', 2, 1))).toBe(true);
  });

  it('covers is the superset test', () => {
    expect(ALL.covers(ofPorts('SCTP', 9))).toBe(true);
    expect(ofPorts('TCP', 1, 100).covers(ofPorts('TCP', 50, 60))).toBe(true);
    expect(ofPorts('TCP', 1, 100).covers(ofPorts('TCP', 50, 101))).toBe(false);
    expect(ofPorts('TCP', 1, 100).covers(EMPTY)).toBe(true);
    expect(EMPTY.covers(EMPTY)).toBe(true);
    expect(EMPTY.covers(ofPorts('TCP', 1))).toBe(false);
    expect(ofProtocol('TCP').covers(ALL)).toBe(false);
  });

  it('contains tests one port of one protocol, bounds included', () => {
    const set = union(ofPorts('TCP', 80, 90), ofPorts('TCP', 443), ofPorts('UDP', 53));
    expect(set.contains('TCP', 80)).toBe(true);
    expect(set.contains('TCP', 90)).toBe(true);
    expect(set.contains('TCP', 79)).toBe(false);
    expect(set.contains('TCP', 91)).toBe(false);
    expect(set.contains('TCP', 443)).toBe(true);
    expect(set.contains('TCP', 444)).toBe(false);
    expect(set.contains('UDP', 53)).toBe(true);
    expect(set.contains('SCTP', 53)).toBe(false);
    expect(ALL.contains('SCTP', 65535)).toBe(true);
    expect(EMPTY.contains('TCP', 1)).toBe(false);
  });
});

describe('formats', () => {
  const mixed = union(ofPorts('UDP', 9090), ofPorts('TCP', 8081), ofPorts('SCTP', 7070), ofPorts('TCP', 8080));

  it('toString lists SCTP, TCP, UDP in that order, items joined by commas', () => {
    expect(mixed.toString()).toBe('SCTP 7070,TCP 8080-8081,UDP 9090');
    expect(union(ofProtocol('SCTP'), ofProtocol('TCP'), ofPorts('UDP', 1, 79), ofPorts('UDP', 81, 65535)).toString())
      .toBe('SCTP 1-65535,TCP 1-65535,UDP 1-79,81-65535');
    expect(union(ofPorts('TCP', 8090), ofPorts('TCP', 8000)).toString()).toBe('TCP 8000,8090');
  });

  it('describe is for people: groups joined by semicolons, words for all and nothing', () => {
    expect(mixed.describe()).toBe('SCTP 7070; TCP 8080-8081; UDP 9090');
    expect(union(ofPorts('TCP', 80), ofPorts('TCP', 443), ofPorts('UDP', 53)).describe()).toBe('TCP 80,443; UDP 53');
    expect(ALL.describe()).toBe('all ports and protocols');
    expect(EMPTY.describe()).toBe('nothing');
  });

  it('toJSON lists inclusive ranges of the non-empty protocols; JSON.stringify uses it', () => {
    expect(mixed.toJSON()).toEqual({ SCTP: [[7070, 7070]], TCP: [[8080, 8081]], UDP: [[9090, 9090]] });
    expect(EMPTY.toJSON()).toEqual({});
    expect(ALL.toJSON()).toEqual({
      SCTP: [[1, 65535]], TCP: [[1, 65535]], UDP: [[1, 65535]], ICMP: 'all', ICMPv6: 'all', otherProtocols: 'all',
    });
    expect(JSON.parse(JSON.stringify({ allowed: ofPorts('TCP', 80, 81) }))).toEqual({ allowed: { TCP: [[80, 81]] } });
    expect(Object.keys(mixed.toJSON())).toEqual(['SCTP', 'TCP', 'UDP']);
  });

  it('portRanges gives the intervals of one protocol', () => {
    expect(union(ofPorts('TCP', 1, 3), ofPorts('TCP', 7)).portRanges('TCP')).toEqual([[1, 3], [7, 7]]);
    expect(ofPorts('TCP', 1, 3).portRanges('UDP')).toEqual([]);
  });
});

describe('agrees with a naive set of protocol/port strings', () => {
  const PROTOCOL_LIST: readonly Protocol[] = ['SCTP', 'TCP', 'UDP'];
  const DOMAIN = 40;

  /** A set as a few random intervals inside 1..DOMAIN. */
  const intervalsArb = fc.array(
    fc.tuple(fc.constantFrom(...PROTOCOL_LIST), fc.integer({ min: 1, max: DOMAIN }), fc.integer({ min: 0, max: 8 })),
    { maxLength: 5 },
  );
  type Intervals = [Protocol, number, number][];

  function build(intervals: Intervals): ConnectionSet {
    return union(...intervals.map(([protocol, from, length]) => ofPorts(protocol, from, Math.min(from + length, DOMAIN))));
  }

  function naive(intervals: Intervals): Set<string> {
    const set = new Set<string>();
    for (const [protocol, from, length] of intervals) {
      for (let port = from; port <= Math.min(from + length, DOMAIN); port++) set.add(`${protocol}/${port}`);
    }
    return set;
  }

  /** np-guard's string of a naive set, computed independently of ConnectionSet. */
  function naiveString(set: Set<string>): string {
    if (set.size === 0) return 'No Connections';
    const groups: string[] = [];
    for (const protocol of PROTOCOL_LIST) {
      const items: string[] = [];
      let port = 1;
      while (port <= DOMAIN) {
        if (!set.has(`${protocol}/${port}`)) {
          port++;
          continue;
        }
        const start = port;
        while (port + 1 <= DOMAIN && set.has(`${protocol}/${port + 1}`)) port++;
        items.push(start === port ? `${start}` : `${start}-${port}`);
        port++;
      }
      if (items.length > 0) groups.push(`${protocol} ${items.join(',')}`);
    }
    return groups.join(',');
  }

  function matches(set: ConnectionSet, expected: Set<string>): void {
    expect(set.toString()).toBe(naiveString(expected));
    expect(set.isEmpty()).toBe(expected.size === 0);
    // One comparison for every port of the domain (and the one past it), to keep runs fast.
    const wrong: string[] = [];
    for (const protocol of PROTOCOL_LIST) {
      for (let port = 1; port <= DOMAIN + 1; port++) {
        if (set.contains(protocol, port) !== expected.has(`${protocol}/${port}`)) wrong.push(`${protocol}/${port}`);
      }
    }
    expect(wrong).toEqual([]);
  }

  it('union, intersect, subtract, covers and equals', () => {
    fc.assert(fc.property(intervalsArb, intervalsArb, (left, right) => {
      const a = build(left);
      const b = build(right);
      const naiveA = naive(left);
      const naiveB = naive(right);
      matches(a, naiveA);
      matches(a.union(b), new Set([...naiveA, ...naiveB]));
      matches(a.intersect(b), new Set([...naiveA].filter((item) => naiveB.has(item))));
      matches(a.subtract(b), new Set([...naiveA].filter((item) => !naiveB.has(item))));
      expect(a.covers(b)).toBe([...naiveB].every((item) => naiveA.has(item)));
      expect(a.equals(b)).toBe(naiveA.size === naiveB.size && [...naiveA].every((item) => naiveB.has(item)));
      // Laws that tie the operations together.
      expect(a.union(b).equals(b.union(a))).toBe(true);
      expect(a.intersect(b).equals(b.intersect(a))).toBe(true);
      expect(a.subtract(b).union(a.intersect(b)).equals(a)).toBe(true);
      expect(a.union(b).covers(a)).toBe(true);
    }), { numRuns: 300 });
  });

  it('complements within ALL: ALL minus a set, minus its complement, is the set', () => {
    fc.assert(fc.property(intervalsArb, (intervals) => {
      const set = build(intervals);
      const complement = ALL.subtract(set);
      expect(complement.intersect(set).isEmpty()).toBe(true);
      expect(complement.union(set)).toBe(ALL);
      expect(ALL.subtract(complement).equals(set)).toBe(true);
      expect(complement.isAll()).toBe(set.isEmpty());
    }), { numRuns: 200 });
  });
});

describe('ICMP, ICMPv6 and protocols without ports', () => {
  const icmp = (type?: number, code?: number) => ConnectionSet.ofIcmp('ICMP', type, code);

  it('ofIcmp: every message, one type, or one type and code; out of range is empty', () => {
    expect(icmp().toString()).toBe('ICMP');
    expect(icmp(8).toString()).toBe('ICMP 8');
    expect(icmp(8, 0).toString()).toBe('ICMP 8/0');
    expect(ConnectionSet.ofIcmp('ICMPv6', 128).toString()).toBe('ICMPv6 128');
    expect(icmp(256)).toBe(EMPTY);
    expect(icmp(8, 300)).toBe(EMPTY);
    expect(icmp(8).containsIcmp('ICMP', 8, 255)).toBe(true);
    expect(icmp(8).containsIcmp('ICMP', 9, 0)).toBe(false);
    expect(icmp(8).containsIcmp('ICMPv6', 8, 0)).toBe(false);
  });

  it('groups whole types into runs and writes partial types as type/codes', () => {
    expect(union(icmp(0), icmp(3, 1), icmp(3, 2), icmp(8)).toString()).toBe('ICMP 0,3/1-2,8');
    expect(union(icmp(3), icmp(4), icmp(5, 0)).toString()).toBe('ICMP 3-4,5/0');
    expect(union(icmp(0), icmp(3, 1)).toJSON()).toEqual({ ICMP: [{ type: [0, 0] }, { type: 3, code: [1, 1] }] });
    expect(icmp(8).union(icmp(8, 3))).toEqual(icmp(8));
    expect(icmp().subtract(icmp(8)).containsIcmp('ICMP', 8, 0)).toBe(false);
    expect(icmp().subtract(icmp(8)).union(icmp(8))).toEqual(icmp());
  });

  it('ofProtocolNumber gives the whole protocol, named when IANA names it', () => {
    expect(ConnectionSet.ofProtocolNumber(6)).toEqual(ofProtocol('TCP'));
    expect(ConnectionSet.ofProtocolNumber(1)).toEqual(icmp());
    expect(ConnectionSet.ofProtocolNumber(58)).toEqual(ConnectionSet.ofIcmp('ICMPv6'));
    expect(ConnectionSet.ofProtocolNumber(112).toString()).toBe('VRRP');
    expect(ConnectionSet.ofProtocolNumber(253).toString()).toBe('protocol 253');
    expect(union(ConnectionSet.ofProtocolNumber(252), ConnectionSet.ofProtocolNumber(253)).toString()).toBe('protocol 252-253');
    expect(ConnectionSet.ofProtocolNumber(256)).toBe(EMPTY);
    expect(ConnectionSet.protocolNumberOf('gre')).toBe(47);
    expect(ConnectionSet.protocolNumberOf('ICMPv6')).toBe(58);
    expect(ConnectionSet.protocolNumberOf('nope')).toBeUndefined();
    expect(ConnectionSet.ofProtocolNumber(47).containsProtocolNumber(47)).toBe(true);
    expect(ConnectionSet.ofProtocolNumber(47).containsProtocolNumber(112)).toBe(false);
    expect(ConnectionSet.ofProtocolNumber(47).toJSON()).toEqual({ otherProtocols: [[47, 47]] });
  });

  it('np-guard lines name ICMP and the rest only when a set holds some of them, not none and not all', () => {
    // A NetworkPolicy rule with ports: no ICMP, as np-guard prints it.
    expect(ofPorts('TCP', 80).toString()).toBe('TCP 80');
    // Everything but a denied port: ICMP and the rest are in, and np-guard prints only the ports.
    const allBut80 = ALL.subtract(ofPorts('TCP', 80));
    expect(allBut80.toString()).toBe('SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535');
    expect(allBut80.describe()).toBe('everything but TCP 80');
    expect(allBut80.hasNonPortProtocols()).toBe(true);
    expect(allBut80.portPart().toString()).toBe('SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535');
    // Some of them: written after the port groups.
    expect(union(ofPorts('TCP', 80), icmp(8, 0), ConnectionSet.ofProtocolNumber(112)).toString()).toBe('TCP 80,ICMP 8/0,VRRP');
    expect(union(ofPorts('TCP', 80), icmp(8, 0)).describe()).toBe('TCP 80; ICMP 8/0');
    // Only protocols without ports, all of them.
    expect(ConnectionSet.EVERY_NON_PORT_PROTOCOL.toString()).toBe('All but SCTP,TCP,UDP');
    expect(ConnectionSet.EVERY_NON_PORT_PROTOCOL.describe()).toBe('everything but all TCP, UDP and SCTP ports');
    expect(ALL.subtract(ofPorts('TCP', 80)).toJSON()).toEqual({
      SCTP: [[1, 65535]], TCP: [[1, 79], [81, 65535]], UDP: [[1, 65535]], ICMP: 'all', ICMPv6: 'all', otherProtocols: 'all',
    });
  });

  it('agrees with a naive set of ICMP messages and protocol numbers', () => {
    const itemArb = fc.oneof(
      fc.tuple(fc.constant('icmp' as const), fc.integer({ min: 0, max: 4 }), fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined })),
      fc.tuple(fc.constant('proto' as const), fc.integer({ min: 0, max: 255 }), fc.constant(undefined)),
    );
    const build = (items: readonly (readonly ['icmp' | 'proto', number, number | undefined])[]) => union(...items.map(([kind, a, b]) => (kind === 'icmp' ? icmp(a, b) : ConnectionSet.ofProtocolNumber(a))));
    const holds = (items: readonly (readonly ['icmp' | 'proto', number, number | undefined])[], type: number, code: number, number: number) => ({
      message: items.some(([kind, a, b]) => (kind === 'icmp' ? a === type && (b === undefined || b === code) : a === 1)),
      protocol: items.some(([kind, a]) => kind === 'proto' && a === number),
    });
    fc.assert(fc.property(fc.array(itemArb, { maxLength: 5 }), fc.array(itemArb, { maxLength: 5 }), (left, right) => {
      const a = build(left);
      const b = build(right);
      for (const [set, expectedOf] of [
        [a.union(b), (t: number, c: number, n: number) => ({ message: holds(left, t, c, n).message || holds(right, t, c, n).message, protocol: holds(left, t, c, n).protocol || holds(right, t, c, n).protocol })],
        [a.intersect(b), (t: number, c: number, n: number) => ({ message: holds(left, t, c, n).message && holds(right, t, c, n).message, protocol: holds(left, t, c, n).protocol && holds(right, t, c, n).protocol })],
        [a.subtract(b), (t: number, c: number, n: number) => ({ message: holds(left, t, c, n).message && !holds(right, t, c, n).message, protocol: holds(left, t, c, n).protocol && !holds(right, t, c, n).protocol })],
      ] as const) {
        for (let type = 0; type <= 5; type++) {
          for (let code = 0; code <= 4; code++) expect(set.containsIcmp('ICMP', type, code)).toBe(expectedOf(type, code, 0).message);
        }
        for (const number of [0, 2, 47, 112, 200, 255]) expect(set.containsProtocolNumber(number)).toBe(expectedOf(0, 0, number).protocol);
      }
    }), { numRuns: 200 });
  });
});

describe('source ports (Calico rules that name them)', () => {
  const dns = ConnectionSet.ofPorts('UDP', 53);
  const fromLow = dns.fromSourcePorts([[80, 100]]);

  it('fromSourcePorts keeps port connections from those source ports only, and no protocol without ports', () => {
    expect(fromLow.dependsOnSourcePort()).toBe(true);
    expect(fromLow.isEmpty()).toBe(false);
    expect(fromLow.contains('UDP', 53)).toBe(false);
    expect(fromLow.sourcePortsOf('UDP', 53)).toEqual([[80, 100]]);
    expect(fromLow.sourcePortsOf('UDP', 54)).toEqual([]);
    expect(dns.sourcePortsOf('UDP', 53)).toEqual([[MIN_PORT, MAX_PORT]]);
    expect(ALL.fromSourcePorts([[1, 65535]])).toBe(ConnectionSet.EVERY_PORT_PROTOCOL);
    expect(ALL.fromSourcePorts([]).isEmpty()).toBe(true);
    expect(ALL.fromSourcePorts([[1024, 65535]]).hasNonPortProtocols()).toBe(false);
    expect(dns.fromSourcePorts([[200, 100]]).isEmpty()).toBe(true);
    expect(fromLow.fromSomeSourcePort().equals(dns)).toBe(true);
    expect(fromLow.union(ConnectionSet.ofIcmp('ICMP')).fromSomeSourcePort().equals(dns.union(ConnectionSet.ofIcmp('ICMP')))).toBe(true);
  });

  it('prints the source ports with each protocol group that needs them', () => {
    expect(fromLow.toString()).toBe('UDP 53 (source ports 80-100)');
    expect(fromLow.describe()).toBe('UDP 53 from source ports 80-100');
    const mixed = fromLow.union(ConnectionSet.ofPorts('TCP', 80)).union(ConnectionSet.ofPorts('UDP', 5353).fromSourcePorts([[1, 10], [20, 20]]));
    expect(mixed.toString()).toBe('TCP 80,UDP 5353 (source ports 1-10,20),UDP 53 (source ports 80-100)');
    expect(mixed.describe()).toBe('TCP 80; UDP 5353 from source ports 1-10,20; UDP 53 from source ports 80-100');
    expect(mixed.toJSON()).toEqual({ TCP: [[80, 80]], fromSourcePorts: [{ sourcePorts: [[1, 10], [20, 20]], UDP: [[5353, 5353]] }, { sourcePorts: [[80, 100]], UDP: [[53, 53]] }] });
    expect(ALL.subtract(fromLow).describe()).toBe('everything but UDP 53 from source ports 80-100');
    // Every protocol without ports, and TCP 53 from some source ports only: neither part is left out.
    const nonPortAndSome = ConnectionSet.EVERY_NON_PORT_PROTOCOL.union(ofPorts('TCP', 53).fromSourcePorts([[1000, 2000]]));
    expect(nonPortAndSome.toString()).toBe('All but SCTP,TCP,UDP,TCP 53 (source ports 1000-2000)');
    expect(nonPortAndSome.describe()).toBe('everything but all TCP, UDP and SCTP ports; TCP 53 from source ports 1000-2000');
  });

  it('what every source port has merges back into a set without pieces', () => {
    const rest = dns.fromSourcePorts([[1, 79], [101, 65535]]);
    expect(fromLow.union(rest).equals(dns)).toBe(true);
    expect(fromLow.union(rest).dependsOnSourcePort()).toBe(false);
    expect(dns.subtract(fromLow).equals(rest)).toBe(true);
    expect(dns.subtract(fromLow).subtract(rest)).toBe(EMPTY);
    expect(ALL.subtract(fromLow).union(fromLow)).toBe(ALL);
  });

  describe('agrees with a naive set of protocol/source/destination triples', () => {
    const DOMAIN = 12;
    const PROTOCOL_LIST: readonly Protocol[] = ['TCP', 'UDP'];
    /** A part: ports of a protocol, from some source ports (all when none). */
    const partArb = fc.tuple(
      fc.constantFrom(...PROTOCOL_LIST), fc.integer({ min: 1, max: DOMAIN }), fc.integer({ min: 0, max: 4 }),
      fc.option(fc.tuple(fc.integer({ min: 1, max: DOMAIN }), fc.integer({ min: 0, max: 5 })), { nil: undefined }),
    );
    type Part = [Protocol, number, number, [number, number] | undefined];
    const setArb = fc.array(partArb, { maxLength: 4 });
    /** Source ports in the domain stand for themselves; DOMAIN + 1 stands for every higher one. */
    const clampSource = (port: number) => Math.min(port, DOMAIN);
    const build = (parts: Part[]) => union(...parts.map(([protocol, from, length, source]) => {
      const ports = ofPorts(protocol, from, Math.min(from + length, DOMAIN));
      return source ? ports.fromSourcePorts([[source[0], clampSource(source[0] + source[1])]]) : ports;
    }));
    const holds = (parts: Part[], protocol: Protocol, source: number, port: number) => parts.some(([partProtocol, from, length, sourceRange]) => partProtocol === protocol
      && port >= from && port <= Math.min(from + length, DOMAIN) && (!sourceRange || (source >= sourceRange[0] && source <= clampSource(sourceRange[0] + sourceRange[1]))));

    function matches(set: ConnectionSet, expected: (protocol: Protocol, source: number, port: number) => boolean): void {
      const wrong: string[] = [];
      for (const protocol of PROTOCOL_LIST) {
        for (let port = 1; port <= DOMAIN + 1; port++) {
          const sources: number[] = [];
          for (let source = 1; source <= DOMAIN + 1; source++) if (expected(protocol, source, port)) sources.push(source);
          // DOMAIN + 1 stands for every source port above DOMAIN.
          const actual = set.sourcePortsOf(protocol, port).flatMap(([from, to]) => Array.from({ length: Math.min(to, DOMAIN + 1) - from + 1 }, (_, i) => from + i)).filter((source) => source <= DOMAIN + 1);
          if (actual.join() !== sources.join()) wrong.push(`${protocol}/${port}: ${actual.join()} vs ${sources.join()}`);
          if (set.contains(protocol, port) !== (sources.length === DOMAIN + 1)) wrong.push(`${protocol}/${port} contains`);
        }
      }
      expect(wrong).toEqual([]);
    }

    it('union, intersect, subtract, equals, and the canonical form', () => {
      fc.assert(fc.property(setArb, setArb, (left, right) => {
        const a = build(left as Part[]);
        const b = build(right as Part[]);
        const inA = (p: Protocol, s: number, d: number) => holds(left as Part[], p, s, d);
        const inB = (p: Protocol, s: number, d: number) => holds(right as Part[], p, s, d);
        matches(a, inA);
        matches(a.union(b), (p, s, d) => inA(p, s, d) || inB(p, s, d));
        matches(a.intersect(b), (p, s, d) => inA(p, s, d) && inB(p, s, d));
        matches(a.subtract(b), (p, s, d) => inA(p, s, d) && !inB(p, s, d));
        expect(a.subtract(b).union(a.intersect(b)).equals(a)).toBe(true);
        expect(a.union(b).equals(b.union(a))).toBe(true);
        expect(a.union(b).toString()).toBe(b.union(a).toString());
        expect(a.covers(b)).toBe(b.subtract(a).isEmpty());
        expect(ALL.subtract(ALL.subtract(a)).equals(a)).toBe(true);
      }), { numRuns: 300 });
    });
  });
});
