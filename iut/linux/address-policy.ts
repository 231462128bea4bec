// Which generated addresses the kernel IUT can put on a packet that leaves
// veth0 unchanged. The kernel refuses or reroutes the others (martian sources
// in ip_route_output_key_hash_rcu(), loopback, multicast needing an interface,
// v4-mapped IPv6 turning into IPv4), so those requests are declined up front
// with the reason, never silently judged. A raw socket that includes the
// header sends more of them (rawSendProblem).

/** Addresses of the test network itself, which must not collide with generated ones. */
export const GATEWAY_V4 = Uint8Array.of(192, 0, 2, 254);
export const LOCAL_V4 = Uint8Array.of(192, 0, 2, 1);

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Which egress path the packet takes: a raw socket sends more addresses unchanged than routing lets others. */
type Path = "any" | "raw";

function ipv4Problem(a: Uint8Array, role: "source" | "destination", path: Path): string | null {
  const [b0 = 0] = a;
  if (b0 === 127) return `${role} in 127.0.0.0/8 (loopback)`;
  // Even a raw socket sends 0.0.0.0 to loopback, and fills it in as a source (raw_send_hdrinc()).
  if (a.every((x) => x === 0)) return `${role} is 0.0.0.0`;
  if (path !== "raw") {
    if (b0 === 0) return `${role} in 0.0.0.0/8`;
    if (b0 >= 224 && b0 <= 239) return `${role} is multicast`;
    if (a.every((x) => x === 255)) return `${role} is the limited broadcast address`;
  }
  if (equal(a, GATEWAY_V4) || equal(a, LOCAL_V4)) return `${role} is an address of the test network`;
  return null;
}

function ipv6Problem(a: Uint8Array, role: "source" | "destination", path: Path): string | null {
  if (a.slice(0, 15).every((x) => x === 0) && a[15] === 1) return `${role} is ::1 (loopback)`;
  if (path !== "raw") {
    if (a.every((x) => x === 0)) return `${role} is the unspecified address`;
    if (a[0] === 0xff) return `${role} is multicast`;
  }
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return `${role} is link-local (needs a scope)`;
  if (a.slice(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff) return `${role} is IPv4-mapped`;
  return null;
}

/** Why the kernel IUT cannot send a packet between these addresses, or null. */
export function addressProblem(version: 4 | 6, src: Uint8Array, dst: Uint8Array, path: Path = "any"): string | null {
  const check = version === 4 ? ipv4Problem : ipv6Problem;
  return check(src, "source", path) ?? check(dst, "destination", path);
}

/**
 * The same for the raw-socket path (IPPROTO_RAW, header included, bound to
 * veth0): raw_send_hdrinc() and rawv6_send_hdrinc() route by the destination
 * alone and send the header as given, so multicast, broadcast, 0.0.0.0/8
 * (but 0.0.0.0 itself) and unspecified IPv6 addresses leave veth0 unchanged
 * (measured on 6.18; IPv6 multicast only with the socket bound to veth0,
 * unbound it left by veth1).
 */
export function rawSendProblem(version: 4 | 6, src: Uint8Array, dst: Uint8Array): string | null {
  return addressProblem(version, src, dst, "raw");
}
