// The generators reach every class the checksum properties depend on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { onesComplementSum } from "../../wire/internet-checksum.js";
import { recomputedChecksum, transportLayout } from "../../model/checksum/packet-checksum.js";
import { checkentryInput, fillInput } from "../../properties/checksum/generators.js";
import { fromHex } from "../../wire/hex.js";

function classesOf(input: { packet: string; state: string; gso: boolean }): string[] {
  const packet = fromHex(input.packet);
  const { ip } = transportLayout(packet);
  const segment = packet.length - ip.transportOffset;
  const sum = onesComplementSum(packet, ip.transportOffset);
  return [
    `IPv${ip.version}`,
    ip.protocol === 17 ? "UDP" : "TCP",
    segment % 2 === 1 ? "odd segment" : "even segment",
    recomputedChecksum(packet) === 0 ? "checksum computes to 0" : "checksum nonzero",
    (sum & 0xffff) + Math.floor(sum / 0x10000) > 0xffff ? "needs a second fold" : "one fold",
    ip.version === 6 && ip.transportOffset > 40 ? "IPv6 extension headers" : "no extension headers",
    `state ${input.state}`,
    input.gso ? "GSO" : "not GSO",
    packet.length > 1000 ? "over 1000 bytes" : "small",
  ];
}

describe("checksum generators", () => {
  it("reach every packet class", () => {
    const seen = new Map<string, number>();
    fc.statistics(
      fillInput(),
      (input) => {
        for (const c of classesOf(input)) seen.set(c, (seen.get(c) ?? 0) + 1);
        return "";
      },
      { numRuns: 2000, seed: 1, logger: () => {} },
    );
    for (const c of [
      "IPv4",
      "IPv6",
      "UDP",
      "TCP",
      "odd segment",
      "checksum computes to 0",
      "needs a second fold",
      "IPv6 extension headers",
      "state partial",
      "state none",
      "state unnecessary",
      "state complete",
      "GSO",
      "not GSO",
      "over 1000 bytes",
    ]) {
      expect(seen.get(c) ?? 0, c).toBeGreaterThan(10);
    }
  });

  it("reach every rule class", () => {
    const rules = fc.sample(checkentryInput(), { numRuns: 2000, seed: 1 });
    for (const table of ["mangle", "filter", "raw", "nat", "security"])
      expect(rules.some((r) => r.table === table)).toBe(true);
    expect(rules.some((r) => r.operation === 0)).toBe(true);
    expect(rules.some((r) => r.operation === 1 && r.table === "mangle")).toBe(true);
    expect(rules.some((r) => r.operation > 1)).toBe(true);
    expect(rules.some((r) => r.proto === null)).toBe(true);
    expect(rules.some((r) => r.invertProto)).toBe(true);
    expect(new Set(rules.map((r) => r.hook)).size).toBe(5);
  });
});
