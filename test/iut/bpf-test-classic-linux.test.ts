// lib/test_bpf.c's classic cases judged on the running kernel: each subtest
// runs on the kernel IUT's bpf area with populate_skb()'s metadata as a
// receive path gives it (testBpfKernelMeta), and must agree with the model's
// result for the same request (test/fixtures/bpf-test-classic-kernel.mjs).
// The model's agreement with test_bpf.c's own expected values is
// test/properties/bpf-test-bpf-classic.test.ts.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");

interface Row {
  name: string;
  size: number;
  model: number;
  deterministic: boolean;
  kernel?: number;
  declined?: string;
}

/** Subtests the kernel cannot run, and why: none of them for lack of metadata in the protocol or the IUT. */
const CANNOT_RUN: Record<string, RegExp> = {
  "LD_VLAN_TAG 1": /skb_vlan_untag\(\) drops a tagged frame without 2 bytes after the tag/,
  "LD_VLAN_TAG_PRESENT 1": /skb_vlan_untag\(\) drops a tagged frame without 2 bytes after the tag/,
};

describe("lib/test_bpf.c classic cases on the kernel", () => {
  it("runs every subtest with its metadata, and each agrees with the model", () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/bpf-test-classic-kernel.mjs")]);
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    const rows: Row[] = JSON.parse(r.stdout).rows;
    expect(rows.length).toBe(84);
    for (const row of rows) {
      const id = `${row.name} ${row.size}`;
      const cannot = CANNOT_RUN[id];
      if (cannot) {
        expect(row.declined, id).toMatch(cannot);
        continue;
      }
      expect(row.declined, id).toBeUndefined();
      if (row.deterministic) expect([id, row.kernel]).toEqual([id, row.model]);
    }
  }, 60_000);
});
