import { describe, expect, it } from "vitest";
import { fromUtf8 } from "../../wire/netlink/bytes.js";
import { sockaddrIn, sockaddrIn6, sockaddrOfBytes } from "../../sys/inet-addr.js";
import { AF_UNIX, SOCK_DGRAM, SOCK_NONBLOCK, close, sendto, sendtoErrno, socketpair } from "../../sys/libc.js";
import { BatchReceiver } from "../../sys/recvmmsg.js";

// The batched and byte-level paths the kernel hooks and bpf IUTs read and send through; no network configuration.
describe("recvmmsg batch receiver", () => {
  it("takes every queued datagram in one call, in order, and nothing from an empty queue", () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK);
    const receiver = new BatchReceiver(4, 64);
    try {
      expect(receiver.receive(b)).toEqual([]);
      for (const text of ["one", "two", "three"]) sendto(a, new TextEncoder().encode(text));
      expect(receiver.receive(b).map((d) => fromUtf8(d))).toEqual(["one", "two", "three"]);
      // More queued than the batch holds: the rest comes with the next call.
      for (let i = 0; i < 6; i++) sendto(a, Uint8Array.of(i));
      expect(receiver.receive(b).map((d) => d[0])).toEqual([0, 1, 2, 3]);
      expect(receiver.receive(b).map((d) => d[0])).toEqual([4, 5]);
    } finally {
      receiver.close();
      close(a);
      close(b);
    }
  });

  it("refuses a datagram longer than its buffer instead of cutting it", () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK);
    const receiver = new BatchReceiver(2, 8);
    try {
      sendto(a, new Uint8Array(9));
      expect(() => receiver.receive(b)).toThrow(/does not fit the 8-byte buffer/);
    } finally {
      receiver.close();
      receiver.close(); // a second close is harmless
      expect(() => receiver.receive(b)).toThrow(/closed/);
      close(a);
      close(b);
    }
  });
});

describe("byte-level send helpers", () => {
  it("sendtoErrno returns minus the errno instead of throwing", () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK);
    close(b);
    try {
      // ECONNREFUSED (111) from a datagram socketpair whose peer is gone.
      expect(sendtoErrno(a, Uint8Array.of(1), new Uint8Array(0))).toBeLessThan(0);
    } finally {
      close(a);
    }
  });

  it("sockaddrOfBytes is the sockaddr the text form gives", () => {
    expect(sockaddrOfBytes(Uint8Array.of(192, 0, 2, 7))).toEqual(sockaddrIn("192.0.2.7"));
    const v6 = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    expect(sockaddrOfBytes(v6, 80)).toEqual(sockaddrIn6("2001:db8::1", 80));
    expect(() => sockaddrOfBytes(new Uint8Array(5))).toThrow(/4 or 16 bytes/);
  });

  it("fromUtf8 gives the TextDecoder's text for ASCII, multibyte and long input", () => {
    const decoder = new TextDecoder();
    for (const text of ["", "nfconform_hooks", "h1023", "caf\u00e9", "x".repeat(200), "\u0000a"]) {
      const bytes = new TextEncoder().encode(text);
      expect(fromUtf8(bytes)).toBe(decoder.decode(bytes));
    }
    expect(fromUtf8(Uint8Array.of(0x61, 0xff))).toBe(decoder.decode(Uint8Array.of(0x61, 0xff)));
  });
});
