import { describe, expect, it } from "vitest";
import {
  AF_UNIX,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SysError,
  close,
  errnoName,
  errnoNumber,
  getsockname,
  ifNameToIndex,
  recvDatagram,
  sendto,
  socket,
  socketpair,
} from "../../sys/libc.js";
import {
  formatIPv4,
  formatIPv6,
  parseIPv4,
  parseIPv6,
  sockaddrAddress,
  sockaddrIn,
  sockaddrIn6,
} from "../../sys/inet-addr.js";
import { ipBatchLine, macBytes } from "../../sys/veth.js";
import { sysctlPath } from "../../sys/sysctl.js";

// These touch no network configuration, so they run in the test process.
describe("libc bindings", () => {
  it("names errnos, preferring the canonical alias", () => {
    expect(errnoName(1)).toBe("EPERM");
    expect(errnoName(22)).toBe("EINVAL");
    expect(errnoName(11)).toBe("EAGAIN");
    expect(errnoName(95)).toBe("EOPNOTSUPP");
    expect(errnoNumber("EAFNOSUPPORT")).toBe(97);
  });

  it("turns -1 into a SysError carrying errno, name and call", () => {
    let err: unknown;
    try {
      socket(4242, SOCK_DGRAM, 0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SysError);
    expect(err).toMatchObject({ errno: 97, code: "EAFNOSUPPORT", call: "socket" });
  });

  it("socketpair, sendto, recv with timeout, getsockname", () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK);
    try {
      expect(sendto(a, new Uint8Array([1, 2, 3]))).toBe(3);
      const buf = new Uint8Array(16);
      expect(recvDatagram(b, buf, 100)?.length).toBe(3);
      expect(Array.from(buf.subarray(0, 3))).toEqual([1, 2, 3]);
      const t0 = Date.now();
      expect(recvDatagram(b, buf, 50)).toBeNull();
      expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
      expect(getsockname(a)[0]).toBe(AF_UNIX); // sa_family of an unbound AF_UNIX socket
    } finally {
      close(a);
      close(b);
    }
  });

  it("if_nametoindex: lo is 1, unknown names are ENODEV", () => {
    expect(ifNameToIndex("lo")).toBe(1);
    expect(() => ifNameToIndex("nfc-none0")).toThrow(expect.objectContaining({ code: "ENODEV" }));
  });
});

describe("address helpers", () => {
  it("parses and formats IPv4 and IPv6", () => {
    expect(formatIPv4(parseIPv4("10.0.0.2"))).toBe("10.0.0.2");
    expect(formatIPv6(parseIPv6("fd00:0:0:0:0:0:0:1"))).toBe("fd00::1");
    expect(formatIPv6(parseIPv6("::"))).toBe("::");
    expect(formatIPv6(parseIPv6("1:0:0:2:0:0:0:3"))).toBe("1:0:0:2::3");
    expect(formatIPv6(parseIPv6("::ffff:1.2.3.4"))).toBe("::ffff:102:304");
    expect(sockaddrAddress(sockaddrIn("192.0.2.7", 53))).toBe("192.0.2.7");
    expect(sockaddrAddress(sockaddrIn6("2001:db8::7", 53))).toBe("2001:db8::7");
  });
});

describe("configuration as data", () => {
  it("renders ip -batch lines (IPv6 addresses with nodad)", () => {
    expect(ipBatchLine({ kind: "addr-add", dev: "veth0", cidr: "fd00::1/64" })).toBe(
      "addr add fd00::1/64 dev veth0 nodad",
    );
    expect(ipBatchLine({ kind: "addr-add", dev: "veth0", cidr: "10.0.0.1/24" })).toBe("addr add 10.0.0.1/24 dev veth0");
    expect(ipBatchLine({ kind: "route-add", dst: "10.1.0.0/16", via: "10.0.0.2" })).toBe(
      "route replace 10.1.0.0/16 via 10.0.0.2",
    );
    expect(ipBatchLine({ kind: "neigh-add", dev: "veth0", ip: "10.0.0.2", mac: "02:00:00:00:00:02" })).toBe(
      "neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 nud permanent dev veth0",
    );
    expect(ipBatchLine({ kind: "veth-add", name: "veth0", peer: "veth1" })).toBe(
      "link add veth0 type veth peer name veth1",
    );
  });

  it("reads MAC addresses, naming a bad one instead of making it 0", () => {
    expect([...macBytes("02:00:00:00:0a:FF")]).toEqual([2, 0, 0, 0, 10, 255]);
    for (const bad of ["02:00:00:00:00:zz", "02:00:00:00:00", "02:00:00:00:00:01:02", "2:0:0:0:0:1", ""])
      expect(() => macBytes(bad), bad).toThrow(`MAC address "${bad}" is not six hex pairs separated by colons`);
  });

  it("maps sysctl keys to /proc/sys/net only", () => {
    expect(sysctlPath("net.ipv6.conf.veth0.disable_ipv6")).toBe("/proc/sys/net/ipv6/conf/veth0/disable_ipv6");
    expect(sysctlPath("net/ipv4/conf/veth0.5/forwarding")).toBe("/proc/sys/net/ipv4/conf/veth0.5/forwarding");
    expect(() => sysctlPath("kernel.hostname")).toThrow();
    expect(() => sysctlPath("net/../kernel/hostname")).toThrow();
  });
});
