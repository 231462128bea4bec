import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checksumCheckentry } from "../../model/checksum/checkentry.js";
import { checksumTarget } from "../../model/checksum/checksum-target.js";
import { fold, incrementalUpdate, internetChecksum, onesComplementSum } from "../../wire/internet-checksum.js";
import {
  checksumVerifies,
  partialChecksumValue,
  readChecksumField,
  recomputedChecksum,
  transportLayout,
  withChecksumField,
} from "../../model/checksum/packet-checksum.js";
import { buildIpv4, buildUdp } from "../../wire/ip-build.js";
import { offloadedPacket } from "../../properties/checksum/generators.js";
import { writePcap, LINKTYPE_RAW } from "../../wire/pcap.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

describe("Internet checksum (RFC 1071, RFC 1624)", () => {
  it("sums the RFC 1071 section 3 example to 0xddf2", () => {
    const bytes = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(fold(onesComplementSum(bytes))).toBe(0xddf2);
    expect(internetChecksum(bytes)).toBe(0x220d);
  });

  it("pads an odd final byte on the right", () => {
    expect(onesComplementSum(Uint8Array.from([0x12]))).toBe(0x1200);
  });

  it("gives the RFC 1624 section 4 example: HC 0xdd2f, m 0x5555 -> 0x3285 gives 0x0000", () => {
    expect(incrementalUpdate(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });

  it("incremental update agrees with recomputation on arbitrary data", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 2, maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffff }),
        (data, pick, word) => {
          const even = data.slice(0, data.length & ~1);
          const at = (pick % (even.length / 2)) * 2;
          const before = internetChecksum(even);
          const old = (even[at]! << 8) | even[at + 1]!;
          const changed = even.slice();
          changed[at] = word >> 8;
          changed[at + 1] = word & 0xff;
          // 0x0000 and 0xffff are the same number in one's complement.
          const norm = (v: number) => (v === 0xffff ? 0 : v);
          expect(norm(incrementalUpdate(before, old, word))).toBe(norm(internetChecksum(changed)));
        },
      ),
    );
  });
});

describe("CHECKSUM target model", () => {
  it("fills partial packets so that they verify and equal a recompute", () => {
    fc.assert(
      fc.property(offloadedPacket(), (packet) => {
        const filled = checksumTarget({ packet, state: "partial", gso: false }).packet;
        expect(checksumVerifies(filled)).toBe(true);
        expect(readChecksumField(filled)).toBe(recomputedChecksum(packet) || 0xffff);
      }),
    );
  });

  it("leaves GSO packets unfilled: partial in linux, marked none in linux-2.6.35", () => {
    fc.assert(
      fc.property(offloadedPacket(), (packet) => {
        expect(checksumTarget({ packet, state: "partial", gso: true }, "linux")).toEqual({
          packet,
          state: "partial",
          gso: true,
        });
        expect(checksumTarget({ packet, state: "partial", gso: true }, "linux-2.6.35")).toEqual({
          packet,
          state: "none",
          gso: true,
        });
      }),
    );
  });

  it("stores a computed 0 as 0xffff (linux) or 0x0000 (linux-2.6.35)", () => {
    // A packet whose payload word makes the complete checksum 0.
    const packet = fc.sample(offloadedPacket(), { seed: 3, numRuns: 400 }).find((p) => recomputedChecksum(p) === 0);
    expect(packet).toBeDefined();
    expect(readChecksumField(checksumTarget({ packet: packet!, state: "partial", gso: false }).packet)).toBe(0xffff);
    expect(
      readChecksumField(checksumTarget({ packet: packet!, state: "partial", gso: false }, "linux-2.6.35").packet),
    ).toBe(0);
  });

  it("puts the folded pseudo-header sum in the field of an offloaded packet", () => {
    for (const packet of fc.sample(offloadedPacket(), { seed: 5, numRuns: 50 })) {
      expect(readChecksumField(packet)).toBe(partialChecksumValue(packet));
    }
  });

  it("agrees with tshark's checksum validation on filled packets", () => {
    const packets = fc
      .sample(offloadedPacket(), { seed: 11, numRuns: 300 })
      .map((packet) => checksumTarget({ packet, state: "partial", gso: false }).packet);
    const dir = tempDir("nfconform-tshark-");
    const file = join(dir, "filled.pcap");
    writeFileSync(
      file,
      writePcap({ linktype: LINKTYPE_RAW, records: packets.map((data, i) => ({ timestampUs: i, data })) }),
    );
    const out = execFileSync(
      "tshark",
      [
        "-r",
        file,
        "-o",
        "udp.check_checksum:TRUE",
        "-o",
        "tcp.check_checksum:TRUE",
        "-T",
        "fields",
        "-e",
        "udp.checksum.status",
        "-e",
        "tcp.checksum.status",
        "-e",
        "tcp.checksum",
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    const rows = out
      .trim()
      .split("\n")
      .map((line) => line.split("\t"));
    expect(rows).toHaveLength(packets.length);
    // tshark checksum status 1 is "Good" (PROTO_CHECKSUM_E_GOOD; 0 bad, 2 unverified).
    // The one disagreement is by design: skb_checksum_help() stores a computed 0
    // as 0xffff for TCP too, which tshark reports as "0xffff instead of 0x0000".
    const disagreements = rows.filter(
      ([udp, tcp, tcpChecksum]) => udp !== "1" && !(tcp === "1" || (tcp === "0" && tcpChecksum === "0xffff")),
    );
    expect(disagreements).toEqual([]);
    expect(rows.some(([, tcp, tcpChecksum]) => tcp === "0" && tcpChecksum === "0xffff")).toBe(true);
  });
});

describe("CHECKSUM rule check", () => {
  const rule = {
    family: "ipv4",
    table: "mangle",
    hook: "postrouting",
    operation: 1,
    proto: 17,
    invertProto: false,
  } as const;
  it("accepts --checksum-fill in mangle, with or without -p udp", () => {
    expect(checksumCheckentry(rule)).toBe(0);
    expect(checksumCheckentry({ ...rule, proto: null })).toBe(0);
    expect(checksumCheckentry({ ...rule, proto: 6, invertProto: true })).toBe(0);
  });
  it("refuses other tables, operation 0 and unknown bits with EINVAL", () => {
    expect(checksumCheckentry({ ...rule, table: "filter", hook: "output" })).toBe(22);
    expect(checksumCheckentry({ ...rule, operation: 0 })).toBe(22);
    expect(checksumCheckentry({ ...rule, operation: 3 })).toBe(22);
    expect(checksumCheckentry({ ...rule, operation: 2 })).toBe(22);
  });
});

describe("model edge cases (found by mutation testing)", () => {
  const udp = buildIpv4(
    { src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), protocol: 17 },
    buildUdp(1, 2, Uint8Array.of(1, 2, 3)),
  );

  it("sums only the requested range, padding its odd end", () => {
    expect(onesComplementSum(Uint8Array.of(0x12, 0x34), 0, 1)).toBe(0x1200);
    expect(onesComplementSum(Uint8Array.of(0xff, 0x12, 0x34, 0x56), 1, 3)).toBe(0x1234);
  });

  it("refuses packets that are neither TCP nor UDP, or end before the checksum field", () => {
    const icmp = buildIpv4(
      { src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), protocol: 1 },
      new Uint8Array(8),
    );
    expect(() => transportLayout(icmp)).toThrow(/protocol 1 is neither TCP \(6\) nor UDP \(17\)/);
    const short = buildIpv4(
      { src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), protocol: 6 },
      new Uint8Array(17),
    );
    expect(() => transportLayout(short)).toThrow(/37 bytes end before the checksum field at byte 36/);
    const exact = buildIpv4(
      { src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 0, 0, 2), protocol: 6 },
      new Uint8Array(18),
    );
    expect(transportLayout(exact).fieldOffset).toBe(36);
  });

  it("does not verify a packet whose checksum is wrong", () => {
    const filled = checksumTarget({
      packet: withChecksumField(udp, partialChecksumValue(udp)),
      state: "partial",
      gso: false,
    }).packet;
    expect(checksumVerifies(filled)).toBe(true);
    const broken = filled.slice();
    broken[broken.length - 1]! ^= 0x01;
    expect(checksumVerifies(broken)).toBe(false);
  });

  it("leaves a filled packet CHECKSUM_NONE and keeps its GSO flag", () => {
    const packet = withChecksumField(udp, partialChecksumValue(udp));
    for (const profile of ["linux", "linux-2.6.35"] as const) {
      const after = checksumTarget({ packet, state: "partial", gso: false }, profile);
      expect(after.state).toBe("none");
      expect(after.gso).toBe(false);
    }
  });
});
