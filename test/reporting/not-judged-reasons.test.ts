// Issue 15 item 5: every reason cases went without a verdict is listed with
// its count, in report.json (declinedCounts, unjudgedCounts) and summary.md.
import { describe, expect, it } from "vitest";
import { CountedReasons, OTHER_REASONS } from "../../harness/case-run.js";
import { AdapterReplyError } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import type { Params } from "../../iut/ops/common.js";
import { HOOKS_AREA } from "../../properties/hooks/area.js";
import { jsonReport } from "../../reporting/json-report.js";
import { markdownReport } from "../../reporting/markdown-report.js";
import { runArea } from "../properties/mutant-harness.js";

describe("counted reasons", () => {
  it("counts reasons that differ only in numbers as one, shown by the first, most cases first", () => {
    const c = new CountedReasons();
    c.note("unsupported: no bridge device");
    c.note("packet 3 is 70000 bytes");
    c.note("packet 1 is 65600 bytes");
    expect(c.count).toBe(3);
    expect(c.counts).toEqual([
      { reason: "packet 3 is 70000 bytes", count: 2 },
      { reason: "unsupported: no bridge device", count: 1 },
    ]);
  });

  it("puts reasons past the first 40 distinct ones under one line, and loses no case", () => {
    const c = new CountedReasons();
    const words = (i: number) =>
      `reason ${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
    for (let i = 0; i < 45; i++) c.note(words(i));
    c.note(words(0));
    expect(c.counts.length).toBe(41);
    expect(c.counts.find((r) => r.reason === words(0))?.count).toBe(2);
    expect(c.counts.find((r) => r.reason === OTHER_REASONS)?.count).toBe(5);
    expect(c.counts.reduce((n, r) => n + r.count, 0)).toBe(c.count);
  });
});

/** The model, but hooks.fragments cases of an odd number of packets are declined, naming the number. */
class Declining extends ModelIut {
  override async call(op: string, params: Params) {
    const packets = (params.packets as unknown[] | undefined)?.length ?? 0;
    if (op === "hooks.fragments" && packets % 2 === 1)
      throw new AdapterReplyError("invalid", op, `cannot send ${packets} packets`);
    return super.call(op, params);
  }
}

describe("reports", () => {
  it("list each decline reason with its count in report.json and summary.md", async () => {
    const run = await runArea(new Declining(), HOOKS_AREA, 7, {
      runs: 30,
      propertyFilter: ["prerouting-defrag-split"],
    });
    const p = run.properties[0]!;
    expect(p.declined).toBeGreaterThan(0);
    expect(p.declinedCounts).toEqual([
      { reason: expect.stringMatching(/^cannot send \d+ packets$/), count: p.declined },
    ]);
    const json = JSON.parse(JSON.stringify(jsonReport(run))) as { properties: { declinedCounts: unknown }[] };
    expect(json.properties[0]!.declinedCounts).toEqual(p.declinedCounts);
    const md = markdownReport(run);
    expect(md).toContain("## Cases without a verdict, by reason");
    expect(md).toContain(
      `| hooks.prerouting-defrag-split | declined | ${p.declined} | ${p.declinedCounts![0]!.reason} |`,
    );
  });

  it("have no such section when every case was judged", async () => {
    const run = await runArea(new ModelIut(), HOOKS_AREA, 7, { runs: 5, propertyFilter: ["prerouting-defrag-split"] });
    expect(run.properties[0]!.declinedCounts).toBeUndefined();
    expect(markdownReport(run)).not.toContain("by reason");
  });
});
