/**
 * CIDR parsing, address formatting and range subtraction (ipBlock except).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type * as IpNum from 'ip-num';
import { formatAddress, parseAddress, parseCidr, parseIpv6, subtractRanges, type Cidr } from '../../src/model/cidr.js';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

function error(text: string): string {
  const parsed = parseCidr(text);
  if (!('error' in parsed)) throw new Error(`${text} parsed as ${parsed.text}`);
  return parsed.error;
}

const V6_ALL = (1n << 128n) - 1n;

describe('parseCidr, IPv4', () => {
  it('parses a network, its range and canonical text', () => {
    expect(cidr('10.0.0.0/8')).toEqual({ family: 4, prefixLength: 8, range: { first: 0x0a000000n, last: 0x0affffffn }, hostBitsSet: false, text: '10.0.0.0/8' });
    expect(cidr('192.168.1.0/24').range).toEqual({ first: 0xc0a80100n, last: 0xc0a801ffn });
  });

  it('masks host bits and says it did', () => {
    expect(cidr('10.1.2.3/8')).toEqual({ family: 4, prefixLength: 8, range: { first: 0x0a000000n, last: 0x0affffffn }, hostBitsSet: true, text: '10.0.0.0/8' });
    expect(cidr('192.168.1.77/26').text).toBe('192.168.1.64/26');
  });

  it('handles /0, /31 and /32', () => {
    expect(cidr('0.0.0.0/0')).toMatchObject({ prefixLength: 0, range: { first: 0n, last: 0xffffffffn }, hostBitsSet: false, text: '0.0.0.0/0' });
    expect(cidr('1.2.3.4/0')).toMatchObject({ range: { first: 0n, last: 0xffffffffn }, hostBitsSet: true, text: '0.0.0.0/0' });
    expect(cidr('10.0.0.1/31')).toMatchObject({ range: { first: 0x0a000000n, last: 0x0a000001n }, hostBitsSet: true, text: '10.0.0.0/31' });
    expect(cidr('10.0.0.1/32')).toMatchObject({ range: { first: 0x0a000001n, last: 0x0a000001n }, hostBitsSet: false, text: '10.0.0.1/32' });
    expect(cidr('255.255.255.255/32').range).toEqual({ first: 0xffffffffn, last: 0xffffffffn });
  });

  it('rejects a prefix length out of range or not a number', () => {
    expect(error('10.0.0.0/33')).toBe("'10.0.0.0/33' has prefix length '33', outside 0-32 for IPv4");
    expect(error('10.0.0.0/-1')).toBe("'10.0.0.0/-1' has prefix length '-1', outside 0-32 for IPv4");
    expect(error('10.0.0.0/')).toBe("'10.0.0.0/' has prefix length '', outside 0-32 for IPv4");
    expect(error('10.0.0.0/8a')).toMatch(/prefix length '8a'/);
    expect(error('10.0.0.0/1000')).toMatch(/outside 0-32/);
  });

  it('rejects an address that is not IPv4, or no prefix at all', () => {
    expect(error('10.0.0.256/8')).toBe("'10.0.0.256/8' is not a valid CIDR: '10.0.0.256' is not an IPv4 address");
    expect(error('10.0.0/8')).toMatch(/'10\.0\.0' is not an IPv4 address/);
    expect(error('abc/8')).toMatch(/'abc' is not an IPv4 address/);
    expect(error('/8')).toMatch(/is not an IPv4 address/);
    expect(error('10.0.0.1')).toBe("'10.0.0.1' is not a CIDR: it has no prefix length (write 10.0.0.1/32 for one address)");
    expect(error('')).toMatch(/no prefix length/);
  });

  it('refuses surrounding white space and line breaks, as the API server does', () => {
    expect(parseCidr(' 10.0.0.0/8 ')).toEqual({ error: '" 10.0.0.0/8 " is not a valid CIDR: it has white space around 10.0.0.0/8 (write it without)' });
    // What `cidr: |` leaves: the block scalar's final line break.
    expect(parseCidr('10.0.0.0/8\n')).toEqual({ error: '"10.0.0.0/8\\n" is not a valid CIDR: it has a line break around 10.0.0.0/8 (write it without)' });
  });
});

describe('parseCidr, IPv6', () => {
  it('parses a network in canonical lower-case compressed text', () => {
    expect(cidr('2001:db8::/32')).toEqual({
      family: 6, prefixLength: 32, hostBitsSet: false, text: '2001:db8::/32',
      range: { first: 0x20010db8n << 96n, last: (0x20010db8n << 96n) + (1n << 96n) - 1n },
    });
    expect(cidr('2001:DB8:0:0::/32').text).toBe('2001:db8::/32');
    expect(cidr('2001:0db8:0000:0000:0000:0000:0000:0000/48').text).toBe('2001:db8::/48');
  });

  it('masks host bits', () => {
    expect(cidr('2001:db8::1/64')).toMatchObject({ hostBitsSet: true, text: '2001:db8::/64' });
    expect(cidr('fd00::abcd/120')).toMatchObject({ hostBitsSet: true, text: 'fd00::ab00/120' });
  });

  it('handles /0, /127 and /128', () => {
    expect(cidr('::/0')).toMatchObject({ prefixLength: 0, range: { first: 0n, last: V6_ALL }, text: '::/0' });
    expect(cidr('fe80::1/127')).toMatchObject({ range: { first: 0xfe80n << 112n, last: (0xfe80n << 112n) + 1n }, hostBitsSet: true, text: 'fe80::/127' });
    expect(cidr('::1/128')).toMatchObject({ range: { first: 1n, last: 1n }, hostBitsSet: false, text: '::1/128' });
    expect(cidr('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128').range).toEqual({ first: V6_ALL, last: V6_ALL });
  });

  it('rejects a prefix length over 128, a bad address, or no prefix', () => {
    expect(error('::/129')).toBe("'::/129' has prefix length '129', outside 0-128 for IPv6");
    expect(error('2001:db8::/200')).toMatch(/outside 0-128 for IPv6/);
    expect(error('::g/64')).toBe("'::g/64' is not a valid CIDR: '::g' is not an IPv6 address");
    expect(error('1:2:3:4:5:6:7:8:9/64')).toMatch(/is not an IPv6 address/);
    expect(error('2001:db8::1')).toBe("'2001:db8::1' is not a CIDR: it has no prefix length (write 2001:db8::1/128 for one address)");
  });

  it('returns equal answers for repeated texts', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual(parseCidr('10.0.0.0/8'));
    expect(parseCidr('::/129')).toEqual(parseCidr('::/129'));
  });
});

describe('parseIpv6 (Go net.ParseIP rules, without ip-num)', () => {
  const ipNum = createRequire(import.meta.url)('ip-num') as typeof IpNum;
  const byIpNum = (text: string): bigint | undefined => {
    try {
      return ipNum.Validator.isValidIPv6String(text)[0] ? ipNum.IPv6.fromString(text).getValue() : undefined;
    } catch {
      return undefined;
    }
  };
  const address = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

  it('reads every address in full, compressed, upper-case and IPv4-tailed form', () => {
    fc.assert(fc.property(address, (value) => {
      const groups = Array.from({ length: 8 }, (_, index) => ((value >> BigInt(112 - 16 * index)) & 0xffffn).toString(16));
      const forms = [
        groups.join(':'),
        groups.map((group) => group.padStart(4, '0')).join(':').toUpperCase(),
        formatAddress(value, 6),
        `${groups.slice(0, 6).join(':')}:${formatAddress(value & 0xffffffffn, 4)}`,
      ];
      for (const form of forms) expect([form, parseIpv6(form)]).toEqual([form, value]);
    }), { numRuns: 500 });
  });

  it('accepts and rejects what ip-num does, on random text of colons and hex digits', () => {
    const text = fc.array(fc.constantFrom('0', '1', 'a', 'F', 'g', ':', ':', ':', '::'), { maxLength: 20 }).map((parts) => parts.join(''));
    fc.assert(fc.property(text, (candidate) => {
      expect([candidate, parseIpv6(candidate)]).toEqual([candidate, byIpNum(candidate)]);
    }), { numRuns: 3000 });
  });

  it('follows the API server where ip-num does not: no zone, IPv4 parts read sloppily', () => {
    expect(parseIpv6('fe80::1%eth0')).toBeUndefined();
    expect(parseIpv6('::ffff:01.2.3.4')).toBe(parseIpv6('::ffff:1.2.3.4'));
    expect(parseIpv6('1:2:3:4:5:6:7:8::')).toBeUndefined(); // `::` stands for at least one group
    expect(parseIpv6('1:2:3:4:5:6:7::')).toBe(0x00010002000300040005000600070000n);
    expect(parseIpv6('1.2.3.4::')).toBeUndefined(); // an IPv4 part only at the end
  });
});

describe('formatAddress', () => {
  it('formats IPv4 as a dotted quad', () => {
    expect(formatAddress(0n, 4)).toBe('0.0.0.0');
    expect(formatAddress(0x0a000001n, 4)).toBe('10.0.0.1');
    expect(formatAddress(0xffffffffn, 4)).toBe('255.255.255.255');
  });

  it('compresses the longest run of zero groups in IPv6 (RFC 5952)', () => {
    expect(formatAddress(0n, 6)).toBe('::');
    expect(formatAddress(1n, 6)).toBe('::1');
    expect(formatAddress(1n << 112n, 6)).toBe('1::');
    expect(formatAddress(0x20010db8n << 96n | 1n, 6)).toBe('2001:db8::1');
    expect(formatAddress(0x10000n, 6)).toBe('::1:0');
    // The longer run wins over an earlier shorter one.
    expect(formatAddress(BigInt('0x20010000000000010000000000000000'), 6)).toBe('2001:0:0:1::');
    // Equal runs: the first is compressed.
    expect(formatAddress(BigInt('0x20010db8000000000001000000000001'), 6)).toBe('2001:db8::1:0:0:1');
    // Leading zeros of a group are dropped, and letters are lower case.
    expect(formatAddress(BigInt('0x20010db800000000000000000000abcd'), 6)).toBe('2001:db8::abcd');
  });

  it('never compresses a single zero group, or an address without zeros', () => {
    expect(formatAddress(BigInt('0x20010db8000000010001000100010001'), 6)).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatAddress(BigInt('0x00010002000300040005000600070008'), 6)).toBe('1:2:3:4:5:6:7:8');
    expect(formatAddress((1n << 128n) - 1n, 6)).toBe('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  it('round-trips through parseCidr', () => {
    for (const text of ['::/128', '::1/128', '2001:db8::1/128', 'fe80::1:2/128', '2001:0:0:1::/128', '1:2:3:4:5:6:7:8/128']) {
      const parsed = cidr(text);
      expect(`${formatAddress(parsed.range.first, 6)}/128`).toBe(text);
    }
  });
});

describe('parseAddress', () => {
  it('parses single addresses of both families', () => {
    expect(parseAddress('10.0.0.1')).toEqual({ family: 4, value: 0x0a000001n });
    expect(parseAddress('::1')).toEqual({ family: 6, value: 1n });
    expect(parseAddress('2001:db8::')).toEqual({ family: 6, value: 0x20010db8n << 96n });
  });

  it('returns undefined for anything else', () => {
    for (const text of ['10.0.0.256', '10.0.0.1/8', 'example.com', '', ':::']) expect(parseAddress(text)).toBeUndefined();
  });
});

describe('except subtraction', () => {
  const range = (text: string) => cidr(text).range;
  const show = (ranges: readonly { first: bigint; last: bigint }[], family: 4 | 6 = 4) =>
    ranges.map(({ first, last }) => `${formatAddress(first, family)}-${formatAddress(last, family)}`);

  it('cuts a hole in the middle, at the start and at the end', () => {
    expect(show(subtractRanges(range('203.0.113.0/24'), [range('203.0.113.64/26')]))).toEqual(['203.0.113.0-203.0.113.63', '203.0.113.128-203.0.113.255']);
    expect(show(subtractRanges(range('10.0.0.0/8'), [range('10.0.0.0/9')]))).toEqual(['10.128.0.0-10.255.255.255']);
    expect(show(subtractRanges(range('10.0.0.0/8'), [range('10.128.0.0/9')]))).toEqual(['10.0.0.0-10.127.255.255']);
    expect(show(subtractRanges(range('10.0.0.0/8'), [range('10.0.0.1/32')]))).toEqual(['10.0.0.0-10.0.0.0', '10.0.0.2-10.255.255.255']);
  });

  it('handles several unsorted, overlapping or adjacent holes', () => {
    const holes = [range('10.0.3.0/24'), range('10.0.0.0/24'), range('10.0.0.128/25'), range('10.0.1.0/24')];
    expect(show(subtractRanges(range('10.0.0.0/16'), holes))).toEqual(['10.0.2.0-10.0.2.255', '10.0.4.0-10.0.255.255']);
  });

  it('returns nothing when the holes cover everything, and the range when they miss it', () => {
    expect(subtractRanges(range('10.0.0.0/31'), [range('10.0.0.0/32'), range('10.0.0.1/32')])).toEqual([]);
    expect(subtractRanges(range('0.0.0.0/0'), [range('0.0.0.0/0')])).toEqual([]);
    expect(show(subtractRanges(range('10.0.0.0/24'), [range('192.168.0.0/16'), range('9.0.0.0/8')]))).toEqual(['10.0.0.0-10.0.0.255']);
    expect(show(subtractRanges(range('10.0.0.0/24'), []))).toEqual(['10.0.0.0-10.0.0.255']);
  });

  it('works on IPv6 ranges up to ::/0', () => {
    expect(show(subtractRanges(range('::/0'), [range('::/1')]), 6)).toEqual(['8000::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']);
    expect(show(subtractRanges(range('2001:db8::/126'), [range('2001:db8::1/128'), range('2001:db8::2/128')]), 6)).toEqual(['2001:db8::-2001:db8::', '2001:db8::3-2001:db8::3']);
  });
});
