// Verdicts that mean something: a property that judged no case is skipped
// (never passed) in every report; each distinct violation is reported once,
// shrunk and in a deterministic order; judged cases and shrink steps are
// counted apart.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../harness/results.js";
import { runSuite } from "../../harness/run-suite.js";
import { AdapterReplyError, type Iut } from "../../iut/iut.js";
import { loadWith, runWith } from "../../iut/model/bpf-handlers.js";
import { mutantIut } from "../../iut/mutants/index.js";
import type { MutantDefinition } from "../../iut/mutants/mutant.js";
import { LINUX_SEMANTICS } from "../../model/bpf/semantics.js";
import { BPF_AREA } from "../../properties/bpf/area.js";
import { CHECKSUM_AREA } from "../../properties/checksum/area.js";
import { ICMP_NOT_REPORTED } from "../../properties/frag6/properties.js";
import type { AreaDefinition } from "../../properties/property.js";
import { writeReports } from "../../reporting/write-reports.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

async function run(
  iut: Iut,
  area: AreaDefinition,
  options: {
    seed?: number;
    runs?: number;
    propertyFilter?: string[];
    minJudgedShare?: number;
    maxViolations?: number;
    noShrink?: boolean;
  } = {},
): Promise<RunResult> {
  return runSuite({
    iut,
    hello: await iut.hello(),
    areas: [area],
    profileOverrides: {},
    propertyFilter: options.propertyFilter ?? [],
    corpusCases: [],
    seed: options.seed ?? 11,
    runs: options.runs ?? 100,
    corpusDir: null,
    command: "test",
    commands,
    ...(options.minJudgedShare !== undefined ? { minJudgedShare: options.minJudgedShare } : {}),
    ...(options.maxViolations !== undefined ? { maxViolations: options.maxViolations } : {}),
    ...(options.noShrink ? { noShrink: true } : {}),
  });
}

/** The three reports of a run, as files. */
function reports(result: RunResult) {
  const dir = tempDir("nfconform-verdicts-");
  const files = writeReports(dir, result);
  return {
    json: JSON.parse(readFileSync(files.json, "utf8")) as { properties: { status: string; skipReason?: string }[] },
    junit: readFileSync(files.junit, "utf8"),
    markdown: readFileSync(files.markdown, "utf8"),
  };
}

/** A test-only mutant: the model with every checksum op answered `invalid`. */
const DECLINES_EVERYTHING: MutantDefinition = {
  name: "checksum-declines-everything",
  description: "answers invalid to every checksum request",
  overrides: Object.fromEntries(
    ["checksum.fill", "checksum.checkentry"].map((op) => [
      op,
      () => {
        throw new AdapterReplyError("invalid", op, "cannot represent this case");
      },
    ]),
  ),
};

/** A test-only mutant with two independent validator faults: bpf-jump-range-off-by-one and bpf-scratch-unchecked. */
const TWO_VALIDATOR_FAULTS: MutantDefinition = (() => {
  const semantics = { ...LINUX_SEMANTICS, jumpTargetSlack: 1, checkScratchWritten: false };
  return {
    name: "bpf-two-validator-faults",
    description: "accepts a conditional jump one past the end and loads of unwritten scratch cells",
    overrides: { "bpf.load": loadWith(semantics), "bpf.run": runWith(semantics) },
  };
})();

describe("a property that judged no case", () => {
  it("is skipped with the reason, never passed, in report.json, summary.md and junit.xml", async () => {
    const result = await run(mutantIut(DECLINES_EVERYTHING), CHECKSUM_AREA);
    const { json, junit, markdown } = reports(result);
    expect(json.properties.length).toBeGreaterThan(0);
    for (const p of json.properties) {
      expect(p.status).toBe("skipped");
      expect(p.skipReason).toMatch(/^no case was judged: the IUT declined \d+ \(cannot represent this case\)$/);
    }
    for (const p of result.properties) expect(p.judged).toBe(0);
    expect(junit).not.toMatch(/<testcase[^>]*>\s*<properties>.*<\/properties>\s*<\/testcase>/);
    expect(
      junit.match(/<skipped message="no case was judged: the IUT declined \d+ \(cannot represent this case\)"\/>/g),
    ).toHaveLength(json.properties.length);
    expect(markdown).toMatch(/0 passed, 0 failed, \d+ skipped/);
    expect(markdown).not.toMatch(/\| passed \|/);
  });

  it("fails under --min-judged instead", async () => {
    const result = await run(mutantIut(DECLINES_EVERYTHING), CHECKSUM_AREA, {
      propertyFilter: ["checkentry-errno"],
      minJudgedShare: 0.5,
    });
    const [p] = result.properties;
    expect(p?.status).toBe("failed");
    expect(p?.lowJudged).toMatch(/^no case was judged/);
    expect(reports(result).junit).toMatch(/<failure message="no case was judged[^"]*" type="too-few-judged">/);
  });

  it("a part of the verdict the IUT does not report is unjudged, not agreement (frag6 ICMP)", async () => {
    const { FRAG6_AREA } = await import("../../properties/frag6/area.js");
    const { ModelIut } = await import("../../iut/model/model-iut.js");
    const model = new ModelIut();
    // The model, except that it never reports ICMP errors.
    const noIcmp: Iut = {
      spec: "model-without-icmp",
      hello: () => model.hello(),
      close: () => model.close(),
      async call(op, params) {
        const reply = await model.call(op, params);
        if (op !== "frag6.run") return reply;
        const { icmp: _icmp, ...rest } = reply as Record<string, unknown>;
        return rest;
      },
    };
    const result = await run(noIcmp, FRAG6_AREA, { propertyFilter: ["icmp-as-predicted"], runs: 30 });
    const [p] = result.properties;
    expect(p?.status).toBe("skipped");
    expect(p?.skipReason).toMatch(/the IUT does not report ICMP errors/);
    expect(p?.unjudged).toBeGreaterThan(0);
    // The whole-reply property judges the deliveries and counts every such case as judged in part, in both reports.
    const whole = await run(noIcmp, FRAG6_AREA, { propertyFilter: ["matches-model"], runs: 10 });
    const [m] = whole.properties;
    expect(m?.status).toBe("passed");
    expect(m?.partlyJudgedCounts).toEqual([{ reason: ICMP_NOT_REPORTED, count: m?.judged }]);
    const written = reports(whole);
    expect(written.json.properties[0]).toMatchObject({ partlyJudged: m?.judged });
    expect(written.markdown).toContain(
      `| frag6.matches-model | judged in part | ${m?.judged} | ${ICMP_NOT_REPORTED} |`,
    );
    expect(written.markdown).toContain(
      `judged in part (the IUT left out part of what the property judges): ${m?.judged};`,
    );
    // The model reports ICMP: nothing judged in part.
    const full = await run(model, FRAG6_AREA, { propertyFilter: ["matches-model"], runs: 10 });
    expect(full.properties[0]?.partlyJudged).toBeUndefined();
  });
});

describe("every distinct violation", () => {
  it("a mutant with two independent faults in one area shows both in one run", async () => {
    const result = await run(mutantIut(TWO_VALIDATOR_FAULTS), BPF_AREA, {
      propertyFilter: ["load-errno-matches-model"],
      runs: 300,
    });
    const [p] = result.properties;
    expect(p?.status).toBe("failed");
    const keys = p!.violations.map((v) => v.key);
    expect(keys).toEqual(
      expect.arrayContaining([expect.stringMatching(/jcond-range/), expect.stringMatching(/scratch-unwritten/)]),
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(p!.violation).toEqual(p!.violations[0]);
    const { markdown, junit } = reports(result);
    expect(markdown).toMatch(/### Violation 1 of \d+: .*\n[\s\S]*### Violation 2 of \d+: /);
    expect(junit).toMatch(new RegExp(`<failure message="${keys.length} distinct violations; the first: `));
    // Each was shrunk toward its own kind: the counterexample still breaks that rule.
    for (const v of p!.violations) expect(v.message).toContain(v.key.match(/\((.*)\)/)![1]!);
    // Each replays from its JSON: the same kind on the mutant, nothing on the model.
    const property = BPF_AREA.properties.find((q) => q.name === "load-errno-matches-model")!;
    const { ModelIut } = await import("../../iut/model/model-iut.js");
    for (const v of p!.violations) {
      const input = property.validateInput(JSON.parse(JSON.stringify(v.counterexample)));
      const again = await property.check(input, { iut: mutantIut(TWO_VALIDATOR_FAULTS), profile: "linux" });
      expect(again).toMatchObject({ ok: false, key: v.key });
      expect((await property.check(input, { iut: new ModelIut(), profile: "linux" })).ok).toBe(true);
    }
  });

  it("gives the same list for the same seed", async () => {
    const strip = (r: RunResult) => r.properties.map(({ durationMs: _d, ...rest }) => rest);
    const once = await run(mutantIut(TWO_VALIDATOR_FAULTS), BPF_AREA, { runs: 150, seed: 5 });
    const again = await run(mutantIut(TWO_VALIDATOR_FAULTS), BPF_AREA, { runs: 150, seed: 5 });
    expect(strip(again)).toEqual(strip(once));
  });
});

describe("messages say what happened", () => {
  it("frag6: an unexpected datagram is one the model does not deliver, not a duplicate count", async () => {
    const { FRAG6_AREA } = await import("../../properties/frag6/area.js");
    const { findMutant } = await import("../../iut/mutants/index.js");
    const iut = mutantIut(findMutant("frag6-hole-delivered")!);
    const filter = { propertyFilter: ["delivered-at-most-once"] };
    // Every distinct violation as found (ten pattern classes, duplicate-exact among them), and one shrunk: the
    // message is the same function of the case either way, and shrinking all ten took most of this file's time.
    const found = await run(iut, FRAG6_AREA, { ...filter, noShrink: true });
    const shrunk = await run(iut, FRAG6_AREA, { ...filter, maxViolations: 1 });
    expect(shrunk.properties[0]!.violations[0]!.shrinks).toBeGreaterThan(0);
    const messages = [...found.properties[0]!.violations, ...shrunk.properties[0]!.violations].map((v) => v.message);
    expect(found.properties[0]!.violations.length).toBeGreaterThan(1);
    for (const m of messages) expect(m).toMatch(/^delivered at t=\d+ a \d+-byte datagram the model does not deliver$/);
  });
});

describe("counts", () => {
  it("judged cases are the runs asked for, shrink steps counted apart", async () => {
    const result = await run(mutantIut(TWO_VALIDATOR_FAULTS), BPF_AREA, {
      propertyFilter: ["load-errno-matches-model"],
      runs: 100,
    });
    const [p] = result.properties;
    expect(p?.runs).toBe(100);
    expect(p?.judged).toBe(100);
    expect(p?.declined).toBe(0);
    const shrinks = p!.violations.reduce((n, v) => n + (v.shrinks ?? 0), 0);
    // Every shrink fast-check counts is a step; steps that did not shrink (a candidate that passed) come on top.
    expect(p?.shrinkSteps).toBeGreaterThanOrEqual(shrinks);
    expect(p?.shrinkSteps).toBeGreaterThan(0);
  });

  it("a conforming property judges exactly its runs and shrinks nothing", async () => {
    const { ModelIut } = await import("../../iut/model/model-iut.js");
    const result = await run(new ModelIut(), BPF_AREA, { runs: 40 });
    for (const p of result.properties) {
      expect([p.status, p.runs, p.judged, p.shrinkSteps, p.violations]).toEqual(["passed", 40, 40, 0, []]);
      expect(p.judgedShare).toBe(1);
    }
  });
});

describe("a fuzz campaign", () => {
  it("saves and reports each kind of violation once across its rounds", async () => {
    const { runCampaign } = await import("../../harness/campaign.js");
    const { readdirSync } = await import("node:fs");
    const corpusDir = tempDir("nfconform-verdicts-corpus-");
    const iut = mutantIut(TWO_VALIDATOR_FAULTS);
    const campaign = await runCampaign({
      iut,
      hello: await iut.hello(),
      areas: [BPF_AREA],
      profileOverrides: {},
      propertyFilter: ["load-errno-matches-model"],
      corpusCases: [],
      baseSeed: 7,
      runsPerRound: 100,
      budgetMs: 4000,
      signal: { aborted: false },
      corpusDir,
      command: "test",
      commands,
    });
    expect(campaign.rounds).toBeGreaterThan(1);
    const [p] = campaign.properties;
    const keys = p!.violations.map((v) => v.key);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys).size).toBe(keys.length);
    const saved = readdirSync(join(corpusDir, "bpf", "load-errno-matches-model")).filter((f) => f.endsWith(".json"));
    expect(saved).toHaveLength(keys.length);
    expect(p!.distinctViolations).toHaveLength(keys.length);
  });
});
