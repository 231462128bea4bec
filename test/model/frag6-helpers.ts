// Small builders for hand-written frag6 streams in tests.
import type { Frag6Event } from "../../model/frag6/profiles.js";
import { fromHex } from "../../wire/hex.js";
import { buildFragmentPacket, type DatagramParts } from "../../wire/ipv6-fragment.js";
import { buildDatagram, originalPacket, type DatagramSpec } from "../../wire/ipv6-datagram.js";

export const SPEC: DatagramSpec = {
  src: fromHex("20010db8000000000000000000000001"),
  dst: fromHex("20010db8000000000000000000000002"),
  trafficClass: 0,
  before: [],
  afterUnits: 0,
  upper: "udp",
  icmpType: 128,
  payloadLength: 24, // UDP 8 + 24: 32 bytes, four 8-byte units
  fill: 42,
};

export const PARTS: DatagramParts = buildDatagram(SPEC);
export const ORIGINAL = originalPacket(PARTS);

/** A fragment [from, to) of PARTS (or of `data`), M set unless it ends the datagram. */
export function frag(
  from: number,
  to: number,
  options: { more?: boolean; data?: Uint8Array; id?: number; parts?: DatagramParts; tc?: number } = {},
): Uint8Array {
  const parts = options.parts ?? PARTS;
  return buildFragmentPacket({
    ...parts,
    offset: from,
    more: options.more ?? to < parts.fragmentable.length,
    identification: options.id ?? 7,
    data: options.data ?? parts.fragmentable.slice(from, to),
    ...(options.tc !== undefined ? { trafficClass: options.tc } : {}),
  });
}

export function at(...packets: Uint8Array[]): Frag6Event[] {
  return packets.map((packet, i) => ({ t: i, packet }));
}
