import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network a client address counts under for per-client limits: an IPv4 address as is, an
 * IPv6 address by its /64 (one subscriber usually holds a whole /64 and can pick any address in
 * it), an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as its IPv4 address. The WHATWG URL parser
 * validates and canonicalises the IPv6 address (lower case, embedded IPv4 as hex groups); anything
 * else is returned unchanged.
 */
export function clientNetwork(ip: string): string {
  if (isIPv4(ip)) return ip;
  const address = ip.split('%')[0] ?? ''; // a zone id (fe80::1%eth0) is no part of the address
  if (!isIPv6(address)) return ip;
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
  const [head = '', tail] = canonical.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headGroups
      : [
          ...headGroups,
          ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
          ...tailGroups,
        ];
  const words = groups.map((g) => parseInt(g, 16));
  if (words.length !== 8 || words.some((w) => Number.isNaN(w))) return ip;
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    const [hi = 0, lo = 0] = words.slice(6);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return `${words
    .slice(0, 4)
    .map((w) => w.toString(16))
    .join(':')}::/64`;
}
