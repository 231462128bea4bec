// Knowing when the stack is done with an injected fragment. The receive path
// runs in a softirq that usually runs inside sendto(), but under load it is
// left to ksoftirqd; reading the sockets too early would miss a delivery (the
// suite caught exactly that). So the thread is pinned to one CPU (one
// backlog queue, processed in order), and after each event a marker, an
// unfragmented UDP datagram to an address of its own, is injected: once a raw
// socket holds the marker, every effect of the event before it is visible.
import koffi from "koffi";
import { check } from "../../../sys/libc.js";
import { buildDatagram, originalPacket } from "../../../wire/ipv6-datagram.js";

/** 2001:db8:ffff::1, local in every case namespace; the marker comes from 2001:db8:ffff::2. */
export const MARKER_DST = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
export const MARKER_SRC = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);

export const MARKER_PACKET: Uint8Array = originalPacket(
  buildDatagram({
    src: MARKER_SRC,
    dst: MARKER_DST,
    trafficClass: 0,
    before: [],
    afterUnits: 0,
    upper: "udp",
    icmpType: 128,
    payloadLength: 8,
    fill: 1,
  }),
);

export function isMarker(packet: Uint8Array): boolean {
  return packet.length >= 40 && MARKER_DST.every((b, i) => packet[24 + i] === b);
}

type Affinity = (pid: number, size: number, mask: Uint8Array) => number;
let calls: { get: Affinity; set: Affinity; cpu: () => number } | undefined;

function bound() {
  if (!calls) {
    const lib = koffi.load("libc.so.6");
    calls = {
      get: lib.func("int sched_getaffinity(int, size_t, void *)") as unknown as Affinity,
      set: lib.func("int sched_setaffinity(int, size_t, const void *)") as unknown as Affinity,
      cpu: lib.func("int sched_getcpu()") as unknown as () => number,
    };
  }
  return calls;
}

/** Pins the calling thread to the CPU it is on; returns what restores the old mask. */
export function pinToCurrentCpu(): () => void {
  const c = bound();
  const old = new Uint8Array(128);
  check("sched_getaffinity", c.get(0, old.length, old));
  const cpu = check("sched_getcpu", c.cpu());
  const mask = new Uint8Array(128);
  mask[cpu >> 3] = 1 << (cpu & 7);
  check("sched_setaffinity", c.set(0, mask.length, mask));
  return () => {
    check("sched_setaffinity", c.set(0, old.length, old));
  };
}
