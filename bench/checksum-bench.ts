// Checksum model throughput (MB/s) beside a naive byte-at-a-time reference,
// measured side by side in one run on the same packets.
import fc from "fast-check";
import { checksumTarget } from "../model/checksum/checksum-target.js";
import { offloadedPacket } from "../properties/checksum/generators.js";
import { transportLayout } from "../model/checksum/packet-checksum.js";
import { measure } from "./measure.js";

/** The obvious implementation: one byte at a time, folding after every addition. */
function naiveFill(packet: Uint8Array): Uint8Array {
  const { ip, fieldOffset } = transportLayout(packet);
  let sum = 0;
  for (let i = ip.transportOffset; i < packet.length; i++) {
    sum += (i - ip.transportOffset) % 2 === 0 ? packet[i]! << 8 : packet[i]!;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  const value = ~sum & 0xffff || 0xffff;
  const out = packet.slice();
  out[fieldOffset] = value >> 8;
  out[fieldOffset + 1] = value & 0xff;
  return out;
}

export function checksumBench(ms: number): string[] {
  const packets = fc.sample(offloadedPacket(), { seed: 1, numRuns: 500 });
  const bytes = packets.reduce((n, p) => n + p.length, 0);
  for (const p of packets) {
    const model = checksumTarget({ packet: p, state: "partial", gso: false }).packet;
    if (model.join() !== naiveFill(p).join()) throw new Error("bench: naive reference disagrees with the model");
  }
  const model = measure(() => {
    for (const p of packets) checksumTarget({ packet: p, state: "partial", gso: false });
  }, ms);
  const naive = measure(() => {
    for (const p of packets) naiveFill(p);
  }, ms);
  const mbps = (r: { perSecond: number }) => (r.perSecond * bytes) / 1e6;
  return [
    `checksum model fill:        ${mbps(model).toFixed(1)} MB/s (${packets.length} packets, ${bytes} bytes per pass)`,
    `naive byte-at-a-time fill:  ${mbps(naive).toFixed(1)} MB/s`,
    `model / naive:              ${(mbps(model) / mbps(naive)).toFixed(2)}x`,
  ];
}
