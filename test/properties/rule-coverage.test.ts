// Issue 21: a default model run (the CI gate's seed, default runs, the seeded
// corpus) reaches every named rule of every area that its profile applies,
// or the rule is on file as a known generator gap with why
// (harness/rule-coverage.ts KNOWN_UNREACHED), and an entry there that a run
// now reaches fails too, so the list only shrinks.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_RUNS } from "../../cli/suite-options.js";
import { loadCorpus } from "../../harness/corpus-store.js";
import { KNOWN_UNREACHED, ruleCoverage } from "../../harness/rule-coverage.js";
import { runMatrix } from "../../harness/matrix.js";
import { AdapterReplyError, type Iut } from "../../iut/iut.js";
import { BPF_AREA } from "../../properties/bpf/area.js";
import { runSuite } from "../../harness/run-suite.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import fc from "fast-check";
import { frag6RuleHits } from "../../model/frag6/rule-catalogue.js";
import { AREAS } from "../../properties/areas.js";
import { frag6Stream } from "../../properties/frag6/generators.js";
import { expectationFor } from "../../properties/frag6/model-view.js";

/** The seed .ci/run gates with. */
const CI_SEED = 1543570559;
const CORPUS = resolve(import.meta.dirname, "../../corpus");
const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };

describe("rule coverage of a default model run", () => {
  it("every catalogue names each rule once, with a summary and a citation", () => {
    for (const area of AREAS) {
      const ids = area.rules.map((r) => r.id);
      expect(new Set(ids).size, area.name).toBe(ids.length);
      for (const r of area.rules) {
        expect(r.summary.length, `${area.name}.${r.id}`).toBeGreaterThan(10);
        expect(r.citation.length, `${area.name}.${r.id}`).toBeGreaterThan(5);
        for (const p of r.profiles ?? []) expect(area.profiles.map((q) => q.name)).toContain(p);
      }
    }
  });

  it("frag6: every line of the model's account is named by a rule, in every profile", () => {
    for (const profile of ["rfc8200", "linux-ipv6", "linux-nfct"]) {
      const unnamed = new Set<string>();
      for (const input of fc.sample(frag6Stream({}), { seed: 7, numRuns: 300 }))
        for (const line of frag6RuleHits(expectationFor(input, profile)).unnamed)
          unnamed.add(line.replace(/\d+/g, "N"));
      expect([...unnamed], profile).toEqual([]);
    }
  });

  for (const area of AREAS) {
    it(`${area.name}: every rule of the default profile is reached, or a known gap`, async () => {
      const iut = new ModelIut();
      const result = await runSuite({
        iut,
        hello: await iut.hello(),
        areas: [area],
        profileOverrides: {},
        propertyFilter: [],
        corpusCases: loadCorpus(CORPUS, [area], AREAS),
        seed: CI_SEED,
        runs: DEFAULT_RUNS,
        corpusDir: null,
        command: "test",
        commands,
        coverage: true,
      });
      const coverage = result.coverage!.areas.find((a) => a.area === area.name)!;
      const known = KNOWN_UNREACHED[area.name] ?? {};
      expect(coverage.unreached.filter((id) => !known[id])).toEqual([]);
      // A known gap that is reached now must leave the list.
      expect(Object.keys(known).filter((id) => !coverage.unreached.includes(id))).toEqual([]);
      expect(coverage.total).toBeGreaterThan(0);
    });
  }
});

/** The model, declining every xt_bpf load as a kernel IUT without iptables would: `unsupported`. */
class NoXtBpf implements Iut {
  readonly spec = "no-xt-bpf";
  private readonly model = new ModelIut();
  hello() {
    return this.model.hello();
  }
  call(op: string, params: Record<string, unknown>) {
    if (op === "bpf.load" && params.attach === "xt_bpf")
      return Promise.reject(new AdapterReplyError("unsupported", op, "no xt_bpf here"));
    return this.model.call(op, params);
  }
  close() {
    return this.model.close();
  }
}

/** The rules only xt_bpf reaches: a case that loads there is declined whole. */
const XT_ONLY = ["xt-count", "xt-match", "xt-no-match", "load-link-layer-any", "ancillary-ethertype"];

describe("rule coverage of an IUT that declines cases", () => {
  it("counts a rule only declined cases reach as out of the IUT's reach, not as a gap (run)", async () => {
    const iut = new NoXtBpf();
    const result = await runSuite({
      iut,
      hello: await iut.hello(),
      areas: [BPF_AREA],
      profileOverrides: {},
      propertyFilter: [],
      corpusCases: [],
      seed: CI_SEED,
      runs: DEFAULT_RUNS,
      corpusDir: null,
      command: "test",
      commands,
      coverage: true,
    });
    const coverage = result.coverage!.areas[0]!;
    expect(coverage.unreached).toEqual([]);
    expect(coverage.outOfReach).toEqual(expect.arrayContaining(XT_ONLY));
    expect(coverage.total).toBe(coverage.rules.length - coverage.outOfReach!.length);
    expect(coverage.reached).toBe(coverage.total);
    for (const id of XT_ONLY) expect(coverage.rules.find((r) => r.id === id)!.declined, id).toBeGreaterThan(0);
  });

  it("does the same per IUT in a matrix", async () => {
    const iuts = [new ModelIut(), new NoXtBpf()];
    const result = await runMatrix({
      iuts: await Promise.all(iuts.map(async (iut) => ({ iut, spec: iut.spec, hello: await iut.hello() }))),
      areas: [BPF_AREA],
      propertyFilter: ["load-errno-matches-model"],
      seed: CI_SEED,
      runs: 60,
      corpusDir: null,
      replayCommand: (f) => `replay ${f}`,
      coverage: true,
    });
    const [model, declining] = result.coverage!.map((c) => c.coverage.areas[0]!);
    expect(model!.outOfReach ?? []).toEqual([]);
    expect(declining!.outOfReach).toContain("xt-count");
    expect(declining!.unreached).not.toContain("xt-count");
  });
});

describe("rule coverage arithmetic", () => {
  it("leaves rules only declined cases reach out of the total", () => {
    const [a] = ruleCoverage(
      [BPF_AREA],
      [{ area: "bpf", profile: "linux", ruleHits: { accepted: 3 }, declinedRuleHits: { "xt-count": 2, accepted: 1 } }],
    ).areas;
    expect(a!.outOfReach).toEqual(["xt-count"]);
    expect(a!.total).toBe(a!.rules.length - 1);
    expect(a!.reached).toBe(1);
    expect(a!.unreached).not.toContain("xt-count");
    expect(a!.unreached).toContain("opcode");
  });
});
