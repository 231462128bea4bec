// Text <-> bytes for IPv4/IPv6 addresses and the sockaddr_in/in6 structs the
// raw sockets need (Node's own parsers are not exported).
import { isIPv4, isIPv6 } from "node:net";
import { AF_INET, AF_INET6, ifNameToIndex } from "./libc.js";

export function parseIPv4(text: string): Uint8Array {
  if (!isIPv4(text)) throw new Error(`not an IPv4 address: ${text}`);
  return Uint8Array.from(text.split(".").map(Number));
}

export function parseIPv6(text: string): Uint8Array {
  const addr = text.split("%")[0] ?? "";
  if (!isIPv6(addr)) throw new Error(`not an IPv6 address: ${text}`);
  let s = addr;
  // An embedded dotted quad becomes two hex groups.
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (m) {
    const q = parseIPv4(m[2] ?? "");
    s = `${m[1]}${(((q[0] ?? 0) << 8) | (q[1] ?? 0)).toString(16)}:${(((q[2] ?? 0) << 8) | (q[3] ?? 0)).toString(16)}`;
  }
  const [head = "", tail] = s.split("::");
  const hs = head ? head.split(":") : [];
  const ts = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill("0"), ...ts];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

export function formatIPv4(b: Uint8Array): string {
  return Array.from(b.subarray(0, 4)).join(".");
}

/** RFC 5952 text (lowercase, longest zero run of >= 2 groups as ::). */
export function formatIPv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((b[2 * i] ?? 0) << 8) | (b[2 * i + 1] ?? 0));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/** struct sockaddr_in (16 bytes). */
export function sockaddrIn(addr: string, port = 0): Uint8Array {
  return sockaddrOfBytes(parseIPv4(addr), port);
}

/** struct sockaddr_in6 (28 bytes); "fe80::1%veth0" sets the scope id. */
export function sockaddrIn6(addr: string, port = 0): Uint8Array {
  const b = sockaddrOfBytes(parseIPv6(addr), port);
  const scope = addr.split("%")[1];
  if (scope) new DataView(b.buffer).setUint32(24, /^\d+$/.test(scope) ? Number(scope) : ifNameToIndex(scope), true);
  return b;
}

/** struct sockaddr_in (4 address bytes) or sockaddr_in6 (16, scope id 0) of an address as the header carries it. */
export function sockaddrOfBytes(addr: Uint8Array, port = 0): Uint8Array {
  if (addr.length !== 4 && addr.length !== 16) throw new Error(`an address has 4 or 16 bytes, not ${addr.length}`);
  const b = new Uint8Array(addr.length === 4 ? 16 : 28);
  const v = new DataView(b.buffer);
  v.setUint16(0, addr.length === 4 ? AF_INET : AF_INET6, true);
  v.setUint16(2, port, false);
  b.set(addr, addr.length === 4 ? 4 : 8);
  return b;
}

/** The address in a sockaddr_in/in6 as text ("" for other families). */
export function sockaddrAddress(sa: Uint8Array): string {
  if (sa.length < 2) return "";
  const family = new DataView(sa.buffer, sa.byteOffset, sa.byteLength).getUint16(0, true);
  if (family === AF_INET && sa.length >= 8) return formatIPv4(sa.subarray(4, 8));
  if (family === AF_INET6 && sa.length >= 24) return formatIPv6(sa.subarray(8, 24));
  return "";
}
