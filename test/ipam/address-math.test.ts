/**
 * The address arithmetic of the address plan (src/ipam/address-math.ts): range and block sizes,
 * the addresses a node's pod block and a Service range can hand out at the edges of each family
 * (/30, /31, /32, /126, /127, /128), overlap and containment, and single-address parsing.
 */
import { describe, expect, it } from '@jest/globals';
import {
  addressCount, blockAddressCount, blockCount, cidrContainsAddress, parseIpAddress, rangeEnds,
  reservedServiceAddresses, usablePodAddresses, usableServiceAddresses,
} from '../../src/ipam/address-math.js';
import { parseCidr, type Cidr } from '../../src/model/cidr.js';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

/** The address text's integer value, for comparing reserved addresses. */
function value(text: string): bigint {
  const parsed = parseIpAddress(text);
  if (!parsed) throw new Error(`${text} is not an address`);
  return parsed.value;
}

describe('addressCount', () => {
  it('counts 2^(bits - prefix length) addresses for IPv4', () => {
    expect(addressCount(cidr('10.0.0.0/8'))).toBe(16_777_216n);
    expect(addressCount(cidr('10.96.0.0/12'))).toBe(1_048_576n);
    expect(addressCount(cidr('10.244.0.0/24'))).toBe(256n);
    expect(addressCount(cidr('10.0.0.0/31'))).toBe(2n);
    expect(addressCount(cidr('10.0.0.7/32'))).toBe(1n);
    expect(addressCount(cidr('0.0.0.0/0'))).toBe(4_294_967_296n);
  });

  it('counts IPv6 ranges beyond 2^53 exactly', () => {
    expect(addressCount(cidr('fd00:10:244::/56'))).toBe(1n << 72n);
    expect(addressCount(cidr('fd00::/64'))).toBe(18_446_744_073_709_551_616n);
    expect(addressCount(cidr('fd00::/112'))).toBe(65_536n);
    expect(addressCount(cidr('fd00::/127'))).toBe(2n);
    expect(addressCount(cidr('fd00::1/128'))).toBe(1n);
    expect(addressCount(cidr('::/0'))).toBe(1n << 128n);
  });

  it('gives the size of a block of any prefix length without a range', () => {
    expect(blockAddressCount(4, 24)).toBe(256n);
    expect(blockAddressCount(4, 26)).toBe(64n);
    expect(blockAddressCount(4, 32)).toBe(1n);
    expect(blockAddressCount(6, 64)).toBe(1n << 64n);
    expect(blockAddressCount(6, 122)).toBe(64n);
    expect(blockAddressCount(6, 128)).toBe(1n);
  });
});

describe('blockCount', () => {
  it('divides a range into blocks of a longer prefix', () => {
    expect(blockCount(cidr('10.244.0.0/16'), 24)).toBe(256n);
    expect(blockCount(cidr('10.244.0.0/20'), 24)).toBe(16n);
    expect(blockCount(cidr('192.168.0.0/16'), 26)).toBe(1024n);
    expect(blockCount(cidr('fd00:10:244::/56'), 64)).toBe(256n);
    expect(blockCount(cidr('fd00::/48'), 122)).toBe(1n << 74n);
  });

  it('finds exactly one block when the block is the range', () => {
    expect(blockCount(cidr('10.244.0.0/24'), 24)).toBe(1n);
    expect(blockCount(cidr('fd00::/64'), 64)).toBe(1n);
    expect(blockCount(cidr('10.0.0.1/32'), 32)).toBe(1n);
  });

  it('finds no block when the mask is shorter than the range (blocks larger than it)', () => {
    expect(blockCount(cidr('10.244.0.0/24'), 23)).toBe(0n);
    expect(blockCount(cidr('10.244.0.0/24'), 16)).toBe(0n);
    expect(blockCount(cidr('fd00:10:244::/64'), 56)).toBe(0n);
  });
});

describe('usablePodAddresses', () => {
  it('leaves out the network and broadcast address of an IPv4 block', () => {
    expect(usablePodAddresses(4, 24)).toBe(254n);
    expect(usablePodAddresses(4, 25)).toBe(126n);
    expect(usablePodAddresses(4, 26)).toBe(62n);
    expect(usablePodAddresses(4, 30)).toBe(2n);
  });

  it('gives an IPv4 /30 two pods, and nothing to a /31 or /32 (too small for host-local to allocate from)', () => {
    expect(usablePodAddresses(4, 30)).toBe(2n);
    expect(usablePodAddresses(4, 31)).toBe(0n);
    expect(usablePodAddresses(4, 32)).toBe(0n);
  });

  it('leaves out only the subnet-router anycast address of an IPv6 block', () => {
    expect(usablePodAddresses(6, 64)).toBe((1n << 64n) - 1n);
    expect(usablePodAddresses(6, 120)).toBe(255n);
    expect(usablePodAddresses(6, 126)).toBe(3n);
  });

  it('gives an IPv6 /126 three pods, and nothing to a /127 or /128', () => {
    expect(usablePodAddresses(6, 126)).toBe(3n);
    expect(usablePodAddresses(6, 127)).toBe(0n);
    expect(usablePodAddresses(6, 128)).toBe(0n);
  });
});

describe('usableServiceAddresses and reservedServiceAddresses', () => {
  it('reserves the network and broadcast address of an IPv4 range', () => {
    expect(usableServiceAddresses(cidr('10.96.0.0/12'))).toBe(1_048_574n);
    expect(usableServiceAddresses(cidr('10.96.0.0/24'))).toBe(254n);
    expect(usableServiceAddresses(cidr('10.96.0.0/30'))).toBe(2n);
    expect(reservedServiceAddresses(cidr('10.96.0.0/24'))).toEqual([value('10.96.0.0'), value('10.96.0.255')]);
    expect(reservedServiceAddresses(cidr('10.96.0.0/30'))).toEqual([value('10.96.0.0'), value('10.96.0.3')]);
  });

  it('leaves no ClusterIP in an IPv4 /31 or /32, unlike a pod block', () => {
    expect(usableServiceAddresses(cidr('10.96.0.0/31'))).toBe(0n);
    expect(reservedServiceAddresses(cidr('10.96.0.0/31'))).toEqual([value('10.96.0.0'), value('10.96.0.1')]);
    expect(usableServiceAddresses(cidr('10.96.0.5/32'))).toBe(0n);
    expect(reservedServiceAddresses(cidr('10.96.0.5/32'))).toEqual([value('10.96.0.5')]);
  });

  it('reserves only the first address of an IPv6 range', () => {
    expect(usableServiceAddresses(cidr('fd00:10:96::/112'))).toBe(65_535n);
    expect(usableServiceAddresses(cidr('fd00:10:96::/108'))).toBe(1_048_575n);
    expect(usableServiceAddresses(cidr('fd00::/126'))).toBe(3n);
    expect(reservedServiceAddresses(cidr('fd00:10:96::/112'))).toEqual([value('fd00:10:96::')]);
  });

  it('leaves one ClusterIP in an IPv6 /127 and none in a /128', () => {
    expect(usableServiceAddresses(cidr('fd00::/127'))).toBe(1n);
    expect(reservedServiceAddresses(cidr('fd00::/127'))).toEqual([value('fd00::')]);
    expect(usableServiceAddresses(cidr('fd00::7/128'))).toBe(0n);
    expect(reservedServiceAddresses(cidr('fd00::7/128'))).toEqual([value('fd00::7')]);
  });

  it('adds up with the usable count to the range size', () => {
    for (const text of ['10.96.0.0/12', '10.96.0.0/30', '10.96.0.0/31', '10.96.0.9/32', 'fd00::/112', 'fd00::/127', 'fd00::3/128']) {
      const range = cidr(text);
      expect(usableServiceAddresses(range) + BigInt(reservedServiceAddresses(range).length)).toBe(addressCount(range));
    }
  });
});

describe('rangeEnds', () => {
  it('gives the first and last address of a range', () => {
    expect(rangeEnds(cidr('10.96.0.0/12'))).toEqual({ first: value('10.96.0.0'), last: value('10.111.255.255') });
    expect(rangeEnds(cidr('fd00:10:96::/112'))).toEqual({ first: value('fd00:10:96::'), last: value('fd00:10:96::ffff') });
  });
});

describe('cidrContainsAddress', () => {
  it('finds nothing across families', () => {
    expect(cidrContainsAddress(cidr('::/0'), parseIpAddress('10.0.0.1')!)).toBe(false);
    expect(cidrContainsAddress(cidr('0.0.0.0/0'), parseIpAddress('::1')!)).toBe(false);
  });

  it('includes both ends of a range and nothing beyond them', () => {
    expect(cidrContainsAddress(cidr('10.96.0.0/24'), parseIpAddress('10.96.0.0')!)).toBe(true);
    expect(cidrContainsAddress(cidr('10.96.0.0/24'), parseIpAddress('10.96.0.255')!)).toBe(true);
    expect(cidrContainsAddress(cidr('10.96.0.0/24'), parseIpAddress('10.96.1.0')!)).toBe(false);
    expect(cidrContainsAddress(cidr('10.96.0.0/24'), parseIpAddress('10.95.255.255')!)).toBe(false);
    expect(cidrContainsAddress(cidr('fd00::/127'), parseIpAddress('fd00::1')!)).toBe(true);
    expect(cidrContainsAddress(cidr('fd00::/127'), parseIpAddress('fd00::2')!)).toBe(false);
  });
});

describe('parseIpAddress', () => {
  it('parses an IPv4 address into its family, value and dotted quad', () => {
    expect(parseIpAddress('10.96.0.10')).toEqual({ family: 4, value: 0x0a60000an, text: '10.96.0.10' });
    expect(parseIpAddress('0.0.0.0')).toEqual({ family: 4, value: 0n, text: '0.0.0.0' });
    expect(parseIpAddress('255.255.255.255')).toEqual({ family: 4, value: 0xffffffffn, text: '255.255.255.255' });
  });

  it('writes IPv6 addresses in the canonical compressed form (RFC 5952)', () => {
    expect(parseIpAddress('fd00:0:0::a')).toEqual({ family: 6, value: (0xfd00n << 112n) + 10n, text: 'fd00::a' });
    expect(parseIpAddress('fd00:0000:0000:0000:0000:0000:0000:000a')?.text).toBe('fd00::a');
    expect(parseIpAddress('FD00:10:96::A')?.text).toBe('fd00:10:96::a');
    expect(parseIpAddress('0:0:0:0:0:0:0:1')?.text).toBe('::1');
    expect(parseIpAddress('::')?.text).toBe('::');
    // The longest run of zero groups is compressed; the first one when two are equally long.
    expect(parseIpAddress('2001:db8:0:0:1:0:0:0')?.text).toBe('2001:db8:0:0:1::');
    expect(parseIpAddress('2001:db8:0:0:1:0:0:1')?.text).toBe('2001:db8::1:0:0:1');
    // A single zero group is never compressed.
    expect(parseIpAddress('2001:db8:0:1:1:1:1:1')?.text).toBe('2001:db8:0:1:1:1:1:1');
  });

  it('ignores surrounding whitespace', () => {
    expect(parseIpAddress(' 10.96.0.10 ')?.text).toBe('10.96.0.10');
    expect(parseIpAddress('\tfd00::a\n')?.text).toBe('fd00::a');
  });

  it('returns undefined for text that is no single address', () => {
    for (const text of ['', 'None', 'localhost', '10.96.0', '10.96.0.256', '10.96.0.10/32', '1.2.3.4.5', 'fd00::g', 'fd00::1::2', '1:2:3:4:5:6:7:8:9', 'fd00::/64']) {
      expect(parseIpAddress(text)).toBeUndefined();
    }
  });
});
