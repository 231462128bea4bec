// The go-bpf adapter (adapters/go-bpf): keeps the protocol, declines xt_bpf
// as a variant, and every finding its README lists still reproduces.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAdapter } from "../../harness/adapter-check.js";
import type { Iut } from "../../iut/iut.js";
import { openShipped, replayFindings, shipped } from "./shipped.js";

const { built, because } = shipped("go-bpf");

describe.skipIf(!built)(`go-bpf adapter${because}`, () => {
  let iut: Iut;
  beforeAll(() => {
    iut = openShipped("go-bpf");
  });
  afterAll(() => iut?.close());

  it("keeps the adapter protocol on every op (adapter-check)", async () => {
    const report = await checkAdapter(iut);
    expect(report.checks.filter((c) => !c.kept)).toEqual([]);
    expect(report.kept).toBe(true);
    expect(report.hello).toMatchObject({ name: "go-bpf", areas: ["bpf"], profiles: { bpf: "linux" } });
  });

  it("answers unsupported for attach xt_bpf, saying why, and loads the same program on a socket", async () => {
    const program = [[6, 0, 0, 0xffffffff]];
    await iut.call("reset", {});
    await expect(iut.call("bpf.load", { program, attach: "xt_bpf" })).rejects.toMatchObject({
      code: "unsupported",
      detail: expect.stringMatching(/no netfilter match/),
    });
    expect(await iut.call("bpf.load", { program, attach: "socket" })).toMatchObject({ errno: 0 });
  });

  it("reproduces every finding its README lists", async () => {
    const runs = await replayFindings("go-bpf", iut);
    expect(runs.length).toBeGreaterThanOrEqual(5);
    for (const { file, run } of runs) expect(run.kind, file).toBe("violates");
  });
});
