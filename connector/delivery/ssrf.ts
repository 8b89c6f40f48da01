/**
 * SSRF protection for webhook delivery: classifies IP addresses and resolves a webhook host at
 * delivery time, refusing every non-public address unless the deployment's allow-list names it.
 * The request then connects to the checked address itself (no second DNS lookup, so no rebinding).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'unspecified'
  | 'reserved'
  | 'documentation'
  | 'invalid';

/** Parses an IPv4 or IPv6 literal to bytes (4 or 16); null when it is neither. */
export function parseIp(addr: string): Uint8Array | null {
  const a = addr.startsWith('[') && addr.endsWith(']') ? addr.slice(1, -1) : addr;
  const kind = isIP(a.split('%')[0]!);
  if (kind === 4) return Uint8Array.from(a.split('.').map(Number));
  if (kind !== 6) return null;
  let s = a.split('%')[0]!.toLowerCase();
  // An embedded dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const b = dotted[1]!.split('.').map(Number);
    s =
      s.slice(0, -dotted[1]!.length) +
      `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function inPrefix(bytes: Uint8Array, prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((bytes[byte]! & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyV4(b: Uint8Array): AddressClass {
  const [a, c] = [b[0]!, b[1]!];
  if (a === 0) return 'unspecified'; // 0.0.0.0/8 "this network"
  if (a === 127) return 'loopback';
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return 'private';
  if (a === 100 && c >= 64 && c <= 127) return 'cgnat';
  if (a === 169 && c === 254) return 'link-local';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved'; // incl. 255.255.255.255
  if (a === 192 && c === 0 && b[2] === 0) return 'reserved'; // 192.0.0.0/24 IETF protocol assignments
  if (
    (a === 192 && c === 0 && b[2] === 2) ||
    (a === 198 && c === 51 && b[2] === 100) ||
    (a === 203 && c === 0 && b[2] === 113)
  )
    return 'documentation';
  if (a === 198 && (c === 18 || c === 19)) return 'reserved'; // benchmarking
  return 'public';
}

/** The IPv4 address an IPv6 address embeds (mapped, compatible, NAT64, 6to4, Teredo), if any. */
export function embeddedIpv4(b: Uint8Array): Uint8Array | null {
  if (b.length !== 16) return null;
  const last4 = b.slice(12, 16);
  if (inPrefix(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) return last4; // ::ffff:0:0/96 mapped
  if (inPrefix(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96)) return last4; // ::/96 compatible (incl. ::1, ::)
  if (inPrefix(b, [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0], 96)) return last4; // ::ffff:0:0:0/96 translated
  if (inPrefix(b, [0, 0x64, 0xff, 0x9b], 96)) return last4; // 64:ff9b::/96 NAT64
  if (inPrefix(b, [0, 0x64, 0xff, 0x9b, 0, 1], 48)) return last4; // 64:ff9b:1::/48 local NAT64
  if (inPrefix(b, [0x20, 0x02], 16)) return b.slice(2, 6); // 2002::/16 6to4
  if (inPrefix(b, [0x20, 0x01, 0, 0], 32)) return last4.map((x) => x ^ 0xff); // Teredo: inverted client address
  return null;
}

function classifyV6(b: Uint8Array): AddressClass {
  if (b.every((x) => x === 0)) return 'unspecified';
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'loopback';
  if (inPrefix(b, [0xfe, 0x80], 10)) return 'link-local';
  if (inPrefix(b, [0xfe, 0xc0], 10)) return 'private'; // deprecated site-local
  if (inPrefix(b, [0xfc], 7)) return 'unique-local';
  if (b[0] === 0xff) return 'multicast';
  if (inPrefix(b, [0x20, 0x01, 0x0d, 0xb8], 32)) return 'documentation';
  if (inPrefix(b, [0x01, 0, 0, 0, 0, 0, 0, 0], 64)) return 'reserved'; // discard-only
  const v4 = embeddedIpv4(b);
  if (v4) {
    const c = classifyV4(v4);
    // An address that embeds a non-public IPv4 one reaches that address: it is refused alike.
    return c === 'public' ? 'public' : c;
  }
  if (inPrefix(b, [0x20], 3)) return 'public'; // 2000::/3 global unicast
  return 'reserved';
}

/** What kind of address this is; `public` is the only class delivered to by default. */
export function classifyAddress(addr: string): AddressClass {
  const b = parseIp(addr);
  if (!b) return 'invalid';
  return b.length === 4 ? classifyV4(b) : classifyV6(b);
}

/** An allow-list entry: an address or a CIDR block (`10.1.0.0/16`, `fd00::/8`). */
export interface Cidr {
  bytes: Uint8Array;
  bits: number;
}

export function parseCidr(s: string): Cidr {
  const [addr, len] = s.trim().split('/');
  const bytes = parseIp(addr ?? '');
  if (!bytes) throw new Error(`not an IP address or CIDR block: ${s}`);
  const bits = len === undefined ? bytes.length * 8 : Number(len);
  if (!Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8)
    throw new Error(`bad prefix length: ${s}`);
  return { bytes, bits };
}

function cidrContains(c: Cidr, b: Uint8Array): boolean {
  if (c.bytes.length !== b.length) return false;
  return inPrefix(b, [...c.bytes], c.bits);
}

export interface AddressPolicy {
  /** Deliver to loopback addresses (local mode). */
  allowLoopback?: boolean;
  /** Addresses / CIDR blocks delivered to even though they are not public. */
  allow?: Cidr[];
}

/** null when delivery to the address is allowed, else the reason it is refused. */
export function refusalReason(addr: string, policy: AddressPolicy): string | null {
  const b = parseIp(addr);
  if (!b) return `${addr} is not an IP address`;
  const cls = b.length === 4 ? classifyV4(b) : classifyV6(b);
  if (cls === 'public') return null;
  const v4 = b.length === 16 ? embeddedIpv4(b) : null;
  for (const c of policy.allow ?? []) if (cidrContains(c, b) || (v4 && cidrContains(c, v4))) return null;
  if (cls === 'loopback' && policy.allowLoopback) return null;
  return `${addr} is a ${cls} address`;
}

export class RefusedAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedAddressError';
  }
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;
const defaultResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * An IP-literal host (`[::1]` without its brackets) checked now, without a lookup; null when the host is
 * a name. Throws `RefusedAddressError` when the policy refuses the address.
 */
export function checkedLiteral(
  host: string,
  policy: AddressPolicy,
): { address: string; family: 4 | 6 } | null {
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  const family = isIP(literal);
  if (!family) return null;
  const why = refusalReason(literal, policy);
  if (why) throw new RefusedAddressError(`refused ${host}: ${why}`);
  return { address: literal, family: family === 6 ? 6 : 4 };
}

/**
 * Resolves a webhook host now and checks every address it resolves to; returns the address to
 * connect to. Refuses when any resolved address is refused (a name must not mix public and private).
 */
export async function resolveChecked(
  host: string,
  policy: AddressPolicy,
  resolver: Resolver = defaultResolver,
): Promise<{ address: string; family: 4 | 6 }> {
  const literal = checkedLiteral(host, policy);
  if (literal) return literal;
  const addrs = await resolver(host);
  if (!addrs.length) throw new RefusedAddressError(`${host} does not resolve`);
  for (const a of addrs) {
    const why = refusalReason(a.address, policy);
    if (why) throw new RefusedAddressError(`refused ${host}: ${why}`);
  }
  const first = addrs[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
