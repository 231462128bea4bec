// Knowing when the stack is done with an injected fragment. The receive path
// runs in a softirq that usually runs inside sendto(), but under load it is
// left to ksoftirqd; reading the sockets too early would miss a delivery (the
// suite caught exactly that). So the thread is pinned to one CPU (one
// backlog queue, processed in order: sys/cpu-affinity.ts), and after each
// event a marker, an unfragmented UDP datagram to an address of its own, is
// injected: once a raw socket holds the marker, every effect of the event
// before it is visible.
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
