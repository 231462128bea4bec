// Which generated addresses the kernel IUT can put on a packet that leaves
// veth0 unchanged. The kernel refuses or reroutes the others (martian sources
// in ip_route_output_key_hash_rcu(), loopback, multicast needing an interface,
// v4-mapped IPv6 turning into IPv4), so those requests are declined up front
// with the reason, never silently judged. Raw and UDP sockets bound to veth0
// send more of them (SENDABLE).

/** Addresses of the test network itself, which must not collide with generated ones. */
export const GATEWAY_V4 = Uint8Array.of(192, 0, 2, 254);
export const LOCAL_V4 = Uint8Array.of(192, 0, 2, 1);

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The egress path a packet takes: a raw or UDP socket bound to veth0 sends some addresses routing refuses elsewhere. */
export type SendPath = "any" | "udp" | "raw";
type Role = "source" | "destination";
const BOTH: readonly Role[] = ["source", "destination"];

/**
 * Where each path sends these addresses unchanged out of veth0 (measured on
 * 6.18). A raw socket that includes the header routes by the destination
 * alone and sends the header as given (raw_send_hdrinc(),
 * rawv6_send_hdrinc()); a UDP socket bound to veth0 (with SO_BROADCAST)
 * sends to them, but replaces a multicast, broadcast or unspecified source
 * with an address of its own. IPv6 multicast needs the binding: unbound it
 * left by veth1.
 */
const SENDABLE: Record<"zeronet" | "multicast" | "broadcast" | "unspecified", Record<SendPath, readonly Role[]>> = {
  zeronet: { any: [], udp: BOTH, raw: BOTH },
  multicast: { any: [], udp: ["destination"], raw: BOTH },
  broadcast: { any: [], udp: ["destination"], raw: BOTH },
  unspecified: { any: [], udp: [], raw: BOTH },
};

function ipv4Problem(a: Uint8Array, role: Role, path: SendPath): string | null {
  const [b0 = 0] = a;
  if (b0 === 127) return `${role} in 127.0.0.0/8 (loopback)`;
  // Every socket sends 0.0.0.0 to loopback, and fills it in as a source (raw_send_hdrinc() too).
  if (a.every((x) => x === 0)) return `${role} is 0.0.0.0`;
  const refused = (kind: keyof typeof SENDABLE) => !SENDABLE[kind][path].includes(role);
  if (b0 === 0 && refused("zeronet")) return `${role} in 0.0.0.0/8`;
  if (b0 >= 224 && b0 <= 239 && refused("multicast")) return `${role} is multicast`;
  if (a.every((x) => x === 255) && refused("broadcast")) return `${role} is the limited broadcast address`;
  if (equal(a, GATEWAY_V4) || equal(a, LOCAL_V4)) return `${role} is an address of the test network`;
  return null;
}

function ipv6Problem(a: Uint8Array, role: Role, path: SendPath): string | null {
  if (a.slice(0, 15).every((x) => x === 0) && a[15] === 1) return `${role} is ::1 (loopback)`;
  const refused = (kind: keyof typeof SENDABLE) => !SENDABLE[kind][path].includes(role);
  if (a.every((x) => x === 0) && refused("unspecified")) return `${role} is the unspecified address`;
  if (a[0] === 0xff && refused("multicast")) return `${role} is multicast`;
  // ip6_finish_output2() (net/ipv6/ip6_output.c) discards multicast of scope 0 or 1 (interface-local)
  // on every device but loopback, whatever the socket (measured on 6.18: scope 0 never left veth0).
  if (a[0] === 0xff && role === "destination" && (a[1]! & 0x0f) <= 1)
    return `${role} is multicast of scope ${a[1]! & 0x0f} (reserved or interface-local)`;
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return `${role} is link-local (needs a scope)`;
  if (a.slice(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff) return `${role} is IPv4-mapped`;
  return null;
}

/** Why the kernel IUT cannot send a packet between these addresses on this path, or null. */
export function addressProblem(
  version: 4 | 6,
  src: Uint8Array,
  dst: Uint8Array,
  path: SendPath = "any",
): string | null {
  const check = version === 4 ? ipv4Problem : ipv6Problem;
  return check(src, "source", path) ?? check(dst, "destination", path);
}
