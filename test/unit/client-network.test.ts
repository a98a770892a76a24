import { clientNetwork } from '../../src/shared/client-network';

describe('clientNetwork (per-client limits)', () => {
  test('IPv4 counts by address; IPv4-mapped IPv6 as its IPv4 address', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  test('IPv6 counts by its /64, whatever the spelling', () => {
    const net = '2001:db8:1:2::/64';
    for (const ip of [
      '2001:db8:1:2::1',
      '2001:0DB8:0001:0002:ffff:ffff:ffff:fffe',
      '2001:db8:1:2:a::b',
      '2001:db8:1:2::9%eth0',
    ])
      expect({ ip, net: clientNetwork(ip) }).toEqual({ ip, net });
    expect(clientNetwork('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('2001:db8::')).toBe('2001:db8:0:0::/64');
  });

  test('anything else is returned unchanged', () => {
    expect(clientNetwork('not-an-ip')).toBe('not-an-ip');
    expect(clientNetwork('')).toBe('');
  });
});
