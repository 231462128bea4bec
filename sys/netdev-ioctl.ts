// Device ioctls `ip` cannot do: hardware address and the tx-checksum offload
// flag (what `ethtool -K dev tx on|off` sets; ethtool is often not installed).
import { AF_INET, SOCK_DGRAM, allocNative, close, ioctl, socket } from "./libc.js";
import { assertPrivateNetns } from "./namespace.js";

const SIOCGIFHWADDR = 0x8927;
const SIOCETHTOOL = 0x8946;
const ETHTOOL_GTXCSUM = 0x16;
const ETHTOOL_STXCSUM = 0x17;
const IFREQ = 40; // struct ifreq: char name[16]; union { sockaddr; void *data; ... }

function ifreq(name: string): Uint8Array {
  const b = new Uint8Array(IFREQ);
  const n = new TextEncoder().encode(name);
  if (n.length > 15) throw new Error(`interface name too long: ${name}`);
  b.set(n, 0);
  return b;
}

function withSocket<T>(f: (fd: number) => T): T {
  const fd = socket(AF_INET, SOCK_DGRAM, 0);
  try {
    return f(fd);
  } finally {
    close(fd);
  }
}

/** MAC address of an interface in this namespace, "aa:bb:..". (/sys/class/net may show the host's devices.) */
export function interfaceMac(name: string): string {
  return withSocket((fd) => {
    const r = ifreq(name);
    ioctl(fd, SIOCGIFHWADDR, r);
    return Array.from(r.subarray(18, 24), (x) => x.toString(16).padStart(2, "0")).join(":");
  });
}

// struct ethtool_value { u32 cmd; u32 data; }, passed by pointer in ifr_data,
// so it lives in native memory.
function ethtoolValue(name: string, cmd: number, data: number): number {
  return withSocket((fd) => {
    const ev = allocNative(8);
    try {
      const v = new DataView(ev.bytes.buffer, ev.bytes.byteOffset, 8);
      v.setUint32(0, cmd, true);
      v.setUint32(4, data, true);
      const r = ifreq(name);
      new DataView(r.buffer).setBigUint64(16, ev.address, true);
      ioctl(fd, SIOCETHTOOL, r);
      return v.getUint32(4, true);
    } finally {
      ev.free();
    }
  });
}

/** Whether tx checksum offload is on (the device may fill checksums: CHECKSUM_PARTIAL leaves the stack). */
export function getTxChecksumOffload(name: string): boolean {
  return ethtoolValue(name, ETHTOOL_GTXCSUM, 0) !== 0;
}

/** `ethtool -K name tx on|off` through SIOCETHTOOL; needs CAP_NET_ADMIN in the device's namespace. */
export function setTxChecksumOffload(name: string, on: boolean): void {
  assertPrivateNetns(`set tx checksum offload on ${name}`);
  ethtoolValue(name, ETHTOOL_STXCSUM, on ? 1 : 0);
}
