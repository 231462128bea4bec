// Whether the kernel IUT declines an xt_bpf receive run asking for an ifindex
// depends on the case alone: the same answers on a fresh bpf area and after a
// socket receive run made the automatic veth pair (test/fixtures/bpf-rx-ifindex.mjs).
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");

function answers(mode: "fresh" | "after-socket"): Record<string, { results?: number[]; error?: string }> {
  const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/bpf-rx-ifindex.mjs"), mode]);
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("--iut linux, bpf receive path ifindexes", () => {
  it("gives an xt_bpf run the same answer on a fresh area and after a socket receive run", () => {
    const fresh = answers("fresh");
    const { socket, ...after } = answers("after-socket");
    expect(socket).toEqual({ results: [7] }); // the mark, read on a received frame
    expect(after).toEqual(fresh);
    for (const i of ["2", "29", "30", "31"]) expect(fresh[i]!.error).toMatch(/keeps ifindexes 1-31/);
    for (const i of ["32", "33", "577"]) expect(fresh[i]).toEqual({ results: [1] });
  }, 60_000);
});
