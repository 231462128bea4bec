import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildIpv4, buildIpv6, buildUdp } from "../../wire/ip-build.js";
import { LINKTYPE_RAW, readPcap, writePcap, PcapError } from "../../wire/pcap.js";
import { fromHex, HexError, toHex } from "../../wire/hex.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

describe("pcap writer", () => {
  it("round-trips records", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ timestampUs: fc.nat({ max: 2 ** 40 }), data: fc.uint8Array({ maxLength: 300 }) })),
        (records) => {
          expect(readPcap(writePcap({ linktype: LINKTYPE_RAW, records }))).toEqual({ linktype: LINKTYPE_RAW, records });
        },
      ),
    );
  });

  it("writes files tcpdump reads as raw IPv4 and IPv6", () => {
    const v4 = buildIpv4(
      { src: Uint8Array.from([10, 0, 0, 1]), dst: Uint8Array.from([10, 0, 0, 2]), protocol: 17 },
      buildUdp(1000, 4000, new Uint8Array(3)),
    );
    const v6 = buildIpv6(
      { src: new Uint8Array(16).fill(0xfe), dst: new Uint8Array(16).fill(1), nextHeader: 17 },
      buildUdp(1000, 4000, new Uint8Array(5)),
    );
    const file = join(tempDir("nfconform-pcap-"), "x.pcap");
    writeFileSync(
      file,
      writePcap({
        linktype: LINKTYPE_RAW,
        records: [
          { timestampUs: 0, data: v4 },
          { timestampUs: 1, data: v6 },
        ],
      }),
    );
    const out = execFileSync("tcpdump", ["-nr", file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(out).toContain("IP 10.0.0.1.1000 > 10.0.0.2.4000: UDP, length 3");
    expect(out).toContain(
      "IP6 fefe:fefe:fefe:fefe:fefe:fefe:fefe:fefe.1000 > 101:101:101:101:101:101:101:101.4000: UDP, length 5",
    );
  });

  it("rejects truncated and foreign files with the file name and offset", () => {
    const good = writePcap({ linktype: LINKTYPE_RAW, records: [{ timestampUs: 0, data: new Uint8Array(20) }] });
    expect(() => readPcap(good.slice(0, 10), "a.pcap")).toThrow(
      /a\.pcap: 10 bytes is shorter than the 24-byte pcap header/,
    );
    expect(() => readPcap(good.slice(0, good.length - 1), "b.pcap")).toThrow(
      /b\.pcap: record 0 at byte 24 claims 20 bytes, only 19 remain/,
    );
    expect(() => readPcap(new Uint8Array(24), "c.pcap")).toThrow(PcapError);
  });
});

describe("hex", () => {
  it("round-trips and rejects bad digits with their position", () => {
    expect(toHex(fromHex("00ff10"))).toBe("00ff10");
    expect(() => fromHex("0g", "packet")).toThrow(/packet: character "g" at position 1/);
    expect(() => fromHex("abc", "packet")).toThrow(HexError);
    expect(() => fromHex("AB", "packet")).toThrow(/not lowercase hex/);
    expect(() => fromHex(12, "packet")).toThrow(/expected a hex string/);
  });
});
