// The frag6 generators reach every pattern class, build valid inputs, and
// their pcaps open in tshark as IPv6 fragments.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FRAG6_AREA } from "../../properties/frag6/area.js";
import { FRAG6_BOUNDARIES, boundariesOf } from "../../properties/frag6/boundaries.js";
import { frag6Stream } from "../../properties/frag6/generators.js";
import { validateStreamInput } from "../../properties/frag6/input-validation.js";
import { FRAG6_CLASSES, type StreamInput } from "../../properties/frag6/stream.js";
import { writePcap } from "../../wire/pcap.js";
import { keepsClassPoint } from "./frag6-points.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const hasTshark = (() => {
  try {
    execFileSync("tshark", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/**
 * The 2000 streams of seed 5 that fc.statistics classifies (by class), with its
 * printed lines: generated once for the three tests that read them.
 */
let seed5: { streams: StreamInput[]; lines: string[] } | undefined;
function statisticsAtSeed5() {
  if (!seed5) {
    const streams: StreamInput[] = [];
    const lines: string[] = [];
    fc.statistics(
      frag6Stream(),
      (s) => {
        streams.push(s);
        return s.labels[0]!;
      },
      { numRuns: 2000, seed: 5, logger: (line) => lines.push(line) },
    );
    seed5 = { streams, lines };
  }
  return seed5;
}

describe("frag6 generators", () => {
  it("reach every pattern class (fc.statistics)", () => {
    const { streams, lines } = statisticsAtSeed5();
    const seen = new Set(streams.flatMap((s) => s.labels));
    expect(lines.length).toBeGreaterThan(0);
    expect(FRAG6_CLASSES.filter((c) => !seen.has(c))).toEqual([]);
  });

  it("reach every size edge (fc.statistics): offset 65528, Payload Length 65535 and past it, unaligned lengths", () => {
    const seen = new Set<string>(statisticsAtSeed5().streams.flatMap(boundariesOf));
    expect(FRAG6_BOUNDARIES.filter((b) => !seen.has(b))).toEqual([]);
  });

  // The edges every class can carry come with a fixed weight: a default run (100 cases) of any property meets them.
  it("meet offset 65528, Payload Length 65535 and an unaligned last fragment in 100 cases of every property", () => {
    for (const property of FRAG6_AREA.properties) {
      for (let seed = 1; seed <= 5; seed++) {
        const seen = new Set(fc.sample(property.arbitrary("rfc8200"), { seed, numRuns: 100 }).flatMap(boundariesOf));
        expect(
          ["offset-65528", "payload-65535", "unaligned-last"].filter((b) => !seen.has(b as never)),
          `${property.name} seed ${seed}`,
        ).toEqual([]);
      }
    }
  });

  it("keep each class's point in every stream they build (an overlap overlaps, a flood passes high_thresh, ...)", () => {
    for (const cls of FRAG6_CLASSES) {
      for (const s of fc.sample(frag6Stream({ classes: [cls] }), { seed: 11, numRuns: 150 }))
        expect(keepsClassPoint(s), `${cls}: ${JSON.stringify(s.events.map((e) => e.packet.slice(80, 112)))}`).toBe(
          true,
        );
    }
  });

  // Issue 20: what is inside the headers, read back from the original datagrams.
  it("reach extension-header content Linux checks (fc.statistics): Hop-by-Hop after the Fragment header, padding over 7 bytes", () => {
    const seen = new Set<string>(statisticsAtSeed5().streams.flatMap((s) => s.originals.flatMap(headerContent)));
    expect(
      [
        "hop-by-hop-not-first",
        "padding-over-7-in-hop-by-hop",
        "padding-over-7-in-destination",
        "padding-up-to-7",
        "pad1",
        "padn",
      ].filter((c) => !seen.has(c)),
    ).toEqual([]);
  });

  it("build a valid stream for every class across many seeds (offsets <= 65528, fragments within 65535 bytes)", () => {
    for (const cls of FRAG6_CLASSES) {
      for (let seed = 0; seed < 40; seed++)
        expect(
          () => fc.sample(frag6Stream({ classes: [cls] }), { seed, numRuns: 25 }),
          `${cls} seed ${seed}`,
        ).not.toThrow();
    }
  }, 180_000); // 21,000 streams, a fifth of them near 64 KiB (160 seeds took 131 s of CI under coverage; every property run builds more)

  it("make inputs that validate as JSON round trips", () => {
    for (const s of fc.sample(frag6Stream(), { numRuns: 200, seed: 3 })) {
      expect(validateStreamInput(JSON.parse(JSON.stringify(s)))).toEqual(s);
    }
  });

  it("refuse malformed inputs", () => {
    const [s] = fc.sample(frag6Stream(), { numRuns: 1, seed: 1 });
    expect(() => validateStreamInput({ ...s, extra: 1 })).toThrow(/unknown field/);
    expect(() => validateStreamInput({ ...s, labels: ["nope"] })).toThrow(/labels/);
    expect(() => validateStreamInput({ ...s, events: [{ t: 0, packet: "60" }] })).toThrow();
    expect(() =>
      validateStreamInput({
        ...s,
        events: [
          { t: 5, packet: s!.events[0]!.packet },
          { t: 1, packet: s!.events[0]!.packet },
        ],
      }),
    ).toThrow(/t must/);
  });

  it.skipIf(!hasTshark)("writes pcaps that tshark shows as IPv6 fragments", () => {
    const [s] = fc.sample(frag6Stream({ classes: ["reordered"] }), { numRuns: 1, seed: 2 });
    const packets = FRAG6_AREA.properties[0]!.packets!(s!, { ok: false, expected: null, observed: null })!;
    const dir = tempDir("frag6-");
    const file = join(dir, "case.pcap");
    writeFileSync(
      file,
      writePcap({
        linktype: packets.linktype,
        records: packets.packets.map((p, i) => ({ timestampUs: p.timestampUs ?? i, data: p.data })),
      }),
    );
    const out = execFileSync(
      "tshark",
      [
        "-r",
        file,
        "-o",
        "ipv6.defragment:FALSE",
        "-T",
        "fields",
        "-e",
        "ipv6.fraghdr.ident",
        "-e",
        "ipv6.fraghdr.offset",
      ],
      { encoding: "utf8" },
    );
    const rows = out.trim().split("\n");
    expect(rows.length).toBe(s!.events.length);
    for (const row of rows) expect(row).toMatch(/^0x[0-9a-f]+\t\d+$/);
  });
});

/** The options-header content of a datagram: where Hop-by-Hop sits, and the longest padding run (as ip6_parse_tlv() counts it). */
function headerContent(hex: string): string[] {
  const p = Uint8Array.from(Buffer.from(hex, "hex"));
  const out: string[] = [];
  let type = p[6]!;
  for (let at = 40; (type === 0 || type === 43 || type === 60) && at + 2 <= p.length; ) {
    const length = (p[at + 1]! + 1) * 8;
    if (type === 0 && at !== 40) out.push("hop-by-hop-not-first");
    if (type !== 43) {
      let run = 0;
      let longest = 0;
      for (let off = at + 2; off < at + length; ) {
        const t = p[off]!;
        const size = t === 0 ? 1 : p[off + 1]! + 2;
        if (t === 0 || t === 1) {
          out.push(t === 0 ? "pad1" : "padn");
          run += size;
        } else run = 0;
        longest = Math.max(longest, run);
        off += size;
      }
      if (longest > 7) out.push(type === 0 ? "padding-over-7-in-hop-by-hop" : "padding-over-7-in-destination");
      else if (longest > 0) out.push("padding-up-to-7");
    }
    type = p[at]!;
    at += length;
  }
  return [...new Set(out)];
}
