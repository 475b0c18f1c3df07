/**
 * Which IP addresses the archiver must never connect to (unless --allow-private-network): pure, no I/O.
 * In: an IP address string (v4 or v6, with or without brackets or a zone). Out: the reason it is refused
 * ("loopback", "private", "link-local", ...) or undefined when it is an ordinary public address.
 */
import net from "node:net";

/** Why an address is refused; the words appear in error messages. */
export type BlockedReason =
  | "not an IP address"
  | "unspecified"
  | "loopback"
  | "private"
  | "link-local"
  | "unique-local"
  | "shared (CGNAT)"
  | "multicast"
  | "reserved"
  | "cloud host service";

// Ranges from the IANA special-purpose registries (RFC 6890 and updates):
// https://www.iana.org/assignments/iana-ipv4-special-registry and .../iana-ipv6-special-registry.
// Documentation and benchmarking ranges are "reserved": nothing legitimate is served from them.
const RANGES: Array<[BlockedReason, "ipv4" | "ipv6", string, number]> = [
  ["unspecified", "ipv4", "0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ["private", "ipv4", "10.0.0.0", 8],
  ["shared (CGNAT)", "ipv4", "100.64.0.0", 10],
  ["loopback", "ipv4", "127.0.0.0", 8],
  ["link-local", "ipv4", "169.254.0.0", 16], // includes 169.254.169.254, the cloud metadata service
  ["private", "ipv4", "172.16.0.0", 12],
  ["reserved", "ipv4", "192.0.0.0", 24], // IETF protocol assignments (incl. 192.0.0.170/171 NAT64 discovery)
  ["reserved", "ipv4", "192.0.2.0", 24], // TEST-NET-1
  ["reserved", "ipv4", "192.88.99.0", 24], // former 6to4 relay anycast
  ["private", "ipv4", "192.168.0.0", 16],
  ["reserved", "ipv4", "198.18.0.0", 15], // benchmarking
  ["reserved", "ipv4", "198.51.100.0", 24], // TEST-NET-2
  ["reserved", "ipv4", "203.0.113.0", 24], // TEST-NET-3
  ["multicast", "ipv4", "224.0.0.0", 4],
  ["reserved", "ipv4", "240.0.0.0", 4], // includes 255.255.255.255, limited broadcast
  // Not special-purpose, but Azure's WireServer/HostGAPlugin, which every Azure VM (GitHub's hosted runners among
  // them) can reach at this public address: https://learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16
  ["cloud host service", "ipv4", "168.63.129.16", 32],

  ["unspecified", "ipv6", "::", 128],
  ["loopback", "ipv6", "::1", 128],
  ["reserved", "ipv6", "64:ff9b:1::", 48], // local-use NAT64: translates to whatever the local network says
  ["reserved", "ipv6", "100::", 64], // discard-only
  ["reserved", "ipv6", "2001:2::", 48], // benchmarking
  ["reserved", "ipv6", "2001:db8::", 32], // documentation
  ["reserved", "ipv6", "3fff::", 20], // documentation (RFC 9637)
  ["unique-local", "ipv6", "fc00::", 7],
  ["link-local", "ipv6", "fe80::", 10],
  ["private", "ipv6", "fec0::", 10], // deprecated site-local, still routed inside some networks
  ["multicast", "ipv6", "ff00::", 8],
];

const LISTS: Array<[BlockedReason, net.BlockList]> = (() => {
  const byReason = new Map<BlockedReason, net.BlockList>();
  for (const [reason, type, network, prefix] of RANGES) {
    let list = byReason.get(reason);
    if (!list) byReason.set(reason, (list = new net.BlockList()));
    list.addSubnet(network, prefix, type);
  }
  return [...byReason];
})();

/**
 * The reason `ip` must not be connected to, or undefined for a public address.
 * IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96,
 * 6to4 2002::/16, Teredo 2001::/32) are judged by that IPv4 address, since that is where the packets end up.
 */
export function isBlockedAddress(ip: string): BlockedReason | undefined {
  const address = stripAddress(ip);
  const family = net.isIP(address);
  if (family === 4) return blockedV4(address);
  if (family !== 6) return "not an IP address";

  const groups = parseIPv6(address);
  if (!groups) return "not an IP address";
  const embedded = embeddedIPv4(groups);
  if (embedded !== undefined) {
    const reason = blockedV4(embedded);
    if (reason) return reason;
  }
  for (const [reason, list] of LISTS) if (list.check(address, "ipv6")) return reason;
  return undefined;
}

/** "[::1]" → "::1", "fe80::1%eth0" → "fe80::1": the forms URL hostnames and DNS answers come in. */
export function stripAddress(ip: string): string {
  let address = ip.trim();
  if (address.startsWith("[") && address.endsWith("]")) address = address.slice(1, -1);
  const zone = address.indexOf("%");
  if (zone !== -1) address = address.slice(0, zone);
  return address;
}

function blockedV4(address: string): BlockedReason | undefined {
  for (const [reason, list] of LISTS) if (list.check(address, "ipv4")) return reason;
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (net.isIP has already accepted it). */
function parseIPv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  // A trailing dotted quad ("::ffff:127.0.0.1") stands for the last two groups.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const bytes = tail.split(".").map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = bytes;
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = rest === undefined || rest === "" ? [] : rest.split(":");
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(missing).fill("0"), ...right].map((group) => Number.parseInt(group, 16));
  return groups.length === 8 && groups.every((group) => group >= 0 && group <= 0xffff) ? groups : undefined;
}

function embeddedIPv4(groups: number[]): string | undefined {
  const g = (index: number) => groups[index] ?? 0;
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (deprecated "compatible"; ::, ::1 are judged as IPv6 themselves).
  if (zeros(0, 5) && g(5) === 0xffff) return v4(g(6), g(7));
  if (zeros(0, 6) && (g(6) !== 0 || g(7) > 1)) return v4(g(6), g(7));
  // 64:ff9b::a.b.c.d, well-known NAT64 prefix (RFC 6052).
  if (g(0) === 0x64 && g(1) === 0xff9b && zeros(2, 6)) return v4(g(6), g(7));
  // 2002:aabb:ccdd::/48, 6to4 (RFC 3056).
  if (g(0) === 0x2002) return v4(g(1), g(2));
  // 2001:0000::/32, Teredo (RFC 4380): the client's IPv4 address is the last 32 bits, inverted.
  if (g(0) === 0x2001 && g(1) === 0) return v4(g(6) ^ 0xffff, g(7) ^ 0xffff);
  return undefined;
}
