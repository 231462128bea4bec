// `unsupported` may cover a variant of an op (docs/adapter-protocol.md): an
// adapter that loads bpf programs on a socket but has no xt_bpf answers
// `unsupported` for attach `xt_bpf` only. Its socket cases must still be
// judged (and a wrong answer there still found), its xt_bpf cases counted as
// declined with its message; a property it declines wholly is skipped, never passed.
import { describe, expect, it } from "vitest";
import { runProperty } from "../../harness/run-property.js";
import { AdapterReplyError, type Iut } from "../../iut/iut.js";
import { ModelIut } from "../../iut/model/model-iut.js";
import type { Params, Result } from "../../iut/ops/common.js";
import { BPF_PROPERTIES } from "../../properties/bpf/properties.js";

const commands = { replayCase: (f: string) => `replay ${f}`, rerunProperty: (id: string) => `rerun ${id}` };
const options = { runSeed: 7, runs: 40, corpusDir: null, iutName: "socket-only", commands };
const NO_XT = "no xt_bpf here";

/** The model, with attach xt_bpf unsupported; `breakRuns` makes every socket run answer one byte more. */
function socketOnly(breakRuns = false): Iut {
  const model = new ModelIut();
  return {
    spec: "test:socket-only",
    hello: () => model.hello(),
    close: () => model.close(),
    async call(op: string, params: Params): Promise<Result> {
      if (op === "bpf.load" && params.attach === "xt_bpf") throw new AdapterReplyError("unsupported", op, NO_XT);
      const result = await model.call(op, params);
      if (breakRuns && op === "bpf.run") return { results: (result.results as number[]).map((n) => n + 1) };
      return result;
    },
  };
}

function bpfProperty(name: string) {
  const property = BPF_PROPERTIES.find((p) => p.name === name);
  if (!property) throw new Error(`no bpf property ${name}`);
  return property;
}

describe("unsupported for a variant declines that case only", () => {
  it("judges the socket cases and counts the xt_bpf ones as declined with the adapter's message", async () => {
    const r = await runProperty(bpfProperty("run-matches-model"), socketOnly(), "linux", [], options);
    expect(r.status, JSON.stringify(r)).toBe("passed");
    expect(r.judged).toBeGreaterThan(0);
    expect(r.declined).toBeGreaterThan(0);
    expect(r.declinedReasons).toEqual([`unsupported: ${NO_XT}`]);
  });

  it("still finds a wrong socket answer beside the declined xt_bpf cases", async () => {
    const r = await runProperty(bpfProperty("run-matches-model"), socketOnly(true), "linux", [], options);
    expect(r.status).toBe("failed");
    expect(r.violation?.key).toBe("socket run: a result differs");
  });

  it("skips, with the adapter's message, a property whose every case it declines", async () => {
    const r = await runProperty(bpfProperty("xt-bpf-refuses-65"), socketOnly(), "linux", [], options);
    expect(r.status).toBe("skipped");
    expect(r.judged).toBe(0);
    expect(r.skipReason).toMatch(/no case was judged: the IUT declined \d+ \(unsupported: no xt_bpf here\)/);
  });

  it("declines metadata cases for an IUT whose hello does not list bpf.run.meta (an older adapter would ignore it)", async () => {
    const model = new ModelIut();
    const older: Iut = {
      spec: "test:no-meta",
      hello: async () => ({ ...(await model.hello()), ops: [] }),
      close: () => model.close(),
      call: (op, params) => model.call(op, params),
    };
    const r = await runProperty(bpfProperty("run-with-metadata-matches-model"), older, "linux", [], options);
    expect(r.status).toBe("skipped");
    expect(r.judged).toBe(0);
    expect(r.skipReason).toMatch(/unsupported: packet metadata: the IUT's hello does not list bpf.run.meta/);
  });
});
