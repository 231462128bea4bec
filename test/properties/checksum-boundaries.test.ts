// Every checksum boundary the model has a rule for comes up in every default
// run (100 cases per property) on each of 20 run seeds: odd and even segments,
// the shortest odd one (one payload byte), no payload (the checksum field is
// then the last bytes of a UDP packet), a checksum that computes to 0 (stored
// as 0xffff), a sum that needs a second fold; for the rule, operation 0, the
// fill bit alone, the fill bit with unknown bits, unknown bits alone, and a
// table other than mangle.
import { describe, it } from "vitest";
import { onesComplementSum } from "../../wire/internet-checksum.js";
import { recomputedChecksum, transportLayout } from "../../model/checksum/packet-checksum.js";
import { CHECKSUM_AREA } from "../../properties/checksum/area.js";
import { fromHex } from "../../wire/hex.js";
import { expectEveryClassEverySeed, seedsReaching } from "./boundary-coverage.js";

function packetClasses(hex: string): string[] {
  const packet = fromHex(hex);
  const { ip, fieldOffset } = transportLayout(packet);
  const segment = packet.length - ip.transportOffset;
  const header = fieldOffset - ip.transportOffset === 6 ? 8 : (packet[ip.transportOffset + 12]! >> 4) * 4;
  const sum = onesComplementSum(packet, ip.transportOffset);
  const found = [segment % 2 ? "odd segment" : "even segment"];
  if (segment === header) found.push("no payload");
  if (segment === header + 1) found.push("one payload byte");
  if (fieldOffset + 2 === packet.length) found.push("checksum field at the packet's end");
  if (recomputedChecksum(packet) === 0) found.push("checksum computes to 0");
  if ((sum & 0xffff) + Math.floor(sum / 0x10000) > 0xffff) found.push("needs a second fold");
  return found;
}

function classesOf(input: Record<string, unknown>): string[] {
  if (typeof input.packet === "string") return packetClasses(input.packet);
  const op = input.operation as number;
  const found = [
    op === 0 ? "operation 0" : op === 1 ? "operation fill" : op & 1 ? "fill and unknown bits" : "unknown bits",
  ];
  if (input.table !== "mangle") found.push("not mangle");
  return found;
}

describe("checksum boundaries in every default run", () => {
  it("reaches odd and shortest segments, a 0 checksum, a second fold, and every kind of operation", () => {
    const reached = seedsReaching(CHECKSUM_AREA.properties.map((property) => ({ property, classify: classesOf })));
    expectEveryClassEverySeed(reached, [
      "odd segment",
      "even segment",
      "no payload",
      "one payload byte",
      "checksum field at the packet's end",
      "checksum computes to 0",
      "needs a second fold",
      "operation 0",
      "operation fill",
      "fill and unknown bits",
      "unknown bits",
      "not mangle",
    ]);
  });
});
