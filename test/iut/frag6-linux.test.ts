// The frag6 area on the running kernel: both reassemblers (the plain stack
// and conntrack's) replay the seeded patterns (kernel-facts.md's disagreement
// table, bounded floods, ip_defrag.c's overlaps) each as its profile predicts,
// inside a namespace of their own (test/fixtures/frag6-kernel-facts.mjs); and
// a short generated run of each conforms.
import { chmodSync, mkdtempSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");

interface Row {
  name: string;
  declined?: string;
  /** Null when the IUT left ICMP out (which event armed an expired queue's timer could not be told). */
  icmp?: unknown[] | null;
  delivered?: unknown[];
  verdicts?: Record<string, { ok: boolean; message?: string }>;
}

function seededRows(path: "plain" | "conntrack"): Row[] {
  const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/frag6-kernel-facts.mjs"), path]);
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT, timeout: 240_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout);
  // The kernel charges each fragment what the model does (model/frag6/memory.ts), or flood verdicts would judge truesize.
  expect(out.calibration).toBeNull();
  return out.rows;
}

describe("--iut linux, frag6 area", () => {
  it.each([
    ["plain", "linux-ipv6", "linux-nfct"],
    ["conntrack", "linux-nfct", "linux-ipv6"],
  ] as const)(
    "the %s reassembler replays every seeded pattern as %s predicts",
    (path, own, other) => {
      const rows = seededRows(path);
      expect(rows.length).toBeGreaterThanOrEqual(16);
      for (const row of rows) {
        expect(row.declined, row.name).toBeUndefined();
        expect(row.verdicts![own], `${row.name}: ${row.verdicts![own]!.message}`).toMatchObject({ ok: true });
      }
      // ICMP reported in full for every pattern (events of one key are spaced so a Time Exceeded names its timer).
      expect(rows.filter((row) => row.icmp === null).map((row) => row.name)).toEqual([]);
      // Issue 20 item 3: an ICMPv6 message under 4 bytes is delivered, though no raw ICMPv6 socket sees it.
      expect(rows.filter((row) => row.name.startsWith("atomic-icmpv6-")).map((row) => row.delivered)).toEqual([
        [{ t: 0, bytes: 40, original: -1 }],
        [{ t: 0, bytes: 43, original: -1 }],
      ]);
      // The disagreement table: the other path's profile is wrong somewhere, so the run tells the two apart.
      expect(rows.some((row) => !row.verdicts![other]!.ok)).toBe(true);
    },
    300_000,
  );

  it.each([["linux"], ["linux-nfct"]])(
    "a short generated run against --iut %s conforms",
    (iut) => {
      const out = mkdtempSync(join(tmpdir(), "nfconform-frag6-"));
      chmodSync(out, 0o777);
      const r = spawnSync(
        BIN,
        ["run", "--iut", iut, "--area", "frag6", "--seed", "3", "--runs", "15", "--out", out, "--corpus", "none"],
        { encoding: "utf8", timeout: 300_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
      expect(report.summary).toMatchObject({ passed: 9, failed: 0, iutError: 0 });
      // ICMP is watched in every case: no property left a case unjudged for want of it.
      for (const p of report.properties) expect(p.unjudged ?? 0, p.id).toBe(0);
    },
    300_000,
  );
});
