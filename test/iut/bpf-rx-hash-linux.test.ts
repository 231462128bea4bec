// skb->hash on the kernel IUT's receive path: a tcx egress program on the
// sender calls bpf_set_hash(), and the frame's socket filter or bridge xt_bpf
// rule reads the value given, replaced as the runs ask for others
// (test/fixtures/bpf-rx-hash.mjs). About a second.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");

describe("--iut linux, bpf receive path: skb->hash", () => {
  it("gives socket and xt_bpf programs the hash the run asks for", () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/bpf-rx-hash.mjs")]);
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    const got: Record<string, unknown> = JSON.parse(r.stdout);
    // The program returns 1 when the hash is the one it asks for, else 0.
    for (const attach of ["socket", "xt_bpf"]) {
      for (const h of [0x12345678, 0, 0xfffffff5, 7])
        expect(got[`${attach} ${h} asks ${h}`], `${attach} ${h}`).toEqual([1, 1]);
      expect(got[`${attach} 7 asks ${0xfffffff5}`]).toEqual([0, 0]);
    }
  }, 60_000);
});
