// harness/expectations.ts: which verdicts count as changed, what update keeps,
// and a malformed file refused with a line naming the field.
import { describe, expect, it } from "vitest";
import { changeLine, readExpectations, updatedVerdicts, verdictChanges } from "../../harness/expectations.js";

describe("stack expectations", () => {
  it("a verdict that moves either way, or a property new or gone, is a change; a listed one is not", () => {
    const changes = verdictChanges(
      "dpdk",
      { a: "passed", b: "failed", c: ["passed", "failed"], gone: "skipped" },
      { a: "failed", b: "passed", c: "failed", added: "passed" },
    );
    expect(changes.map(changeLine)).toEqual([
      "dpdk a: passed -> failed",
      "dpdk added: absent -> passed",
      "dpdk b: failed -> passed",
      "dpdk gone: skipped -> absent",
    ]);
    expect(changeLine({ stack: "s", property: "p", from: ["passed", "failed"], to: "iut-error" })).toBe(
      "s p: passed|failed -> iut-error",
    );
  });

  it("update keeps a list of verdicts while it allows the new one", () => {
    expect(
      updatedVerdicts({ a: ["passed", "failed"], b: ["passed", "failed"] }, { a: "failed", b: "skipped" }),
    ).toEqual({
      a: ["passed", "failed"],
      b: "skipped",
    });
  });

  it("refuses a malformed file naming the field", () => {
    const good = { format: "nfconform-expectations", seed: 1, runs: 5, stacks: { s: { p: "passed" } } };
    expect(readExpectations(JSON.stringify(good), "f")).toEqual(good);
    expect(() => readExpectations("{", "f")).toThrow(/^f: not JSON/);
    expect(() => readExpectations(JSON.stringify({ ...good, runs: 0 }), "f")).toThrow(
      'f: "runs" must be a positive integer',
    );
    expect(() => readExpectations(JSON.stringify({ ...good, stacks: { s: { p: "green" } } }), "f")).toThrow(
      'f: stacks.s["p"] is "green", not one of passed, failed, skipped, iut-error (or a list of them)',
    );
    expect(() => readExpectations(JSON.stringify({ ...good, stacks: { s: { p: [] } } }), "f")).toThrow(
      /stacks.s\["p"\]/,
    );
  });
});
