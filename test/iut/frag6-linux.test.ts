// The frag6 area on the running kernel: both reassemblers (the plain stack
// and conntrack's) replay the seeded patterns (kernel-facts.md's disagreement
// table, bounded floods, ip_defrag.c's overlaps) each as its profile predicts,
// inside a namespace of their own (test/fixtures/frag6-kernel-facts.mjs); and
// a short generated run of each conforms.
import { chmodSync, readFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");

interface Row {
  name: string;
  declined?: string;
  /** Null when the IUT left ICMP out, which it must never do (a Time Exceeded it cannot place declines the case). */
  icmp?: unknown[] | null;
  delivered?: unknown[];
  verdicts?: Record<string, { ok: boolean; message?: string }>;
}

async function seededRows(path: "plain" | "conntrack"): Promise<Row[]> {
  const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/frag6-kernel-facts.mjs"), path, "2"]);
  const r = await new Promise<{ status: number; stdout: string; stderr: string }>((done) =>
    execFile(argv[0]!, argv.slice(1), { cwd: ROOT, timeout: 240_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      done({ status: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr }),
    ),
  );
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout);
  // The kernel charges each fragment what the model does (model/frag6/memory.ts), or flood verdicts would judge truesize.
  expect(out.calibration).toBeNull();
  return out.rows;
}

// The tests sleep more than they compute (queues expire in real time): they run at once.
describe.concurrent("--iut linux, frag6 area", () => {
  it.each([
    ["plain", "linux-ipv6", "linux-nfct"],
    ["conntrack", "linux-nfct", "linux-ipv6"],
  ] as const)(
    "the %s reassembler replays every seeded pattern as %s predicts",
    async (path, own, other) => {
      const rows = await seededRows(path);
      expect(rows.length).toBeGreaterThanOrEqual(16);
      for (const row of rows) {
        expect(row.declined, row.name).toBeUndefined();
        expect(row.verdicts![own], `${row.name}: ${row.verdicts![own]!.message}`).toMatchObject({ ok: true });
      }
      // ICMP reported in full for every pattern (the events that may arm one queue's timer are spaced, expiry.ts).
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

  // Each case watches its queues expire (about 1 s of sleep when one may still send a Time Exceeded), so the two
  // IUTs' runs go at once, nine adapters each: the waits overlap. Measured under load 16: one run an IUT at --jobs 9
  // took 26.8 s and 23.4 CPU-s; three shards an IUT at --jobs 5 each (30 adapters) 32.7 s and 44.1 CPU-s, since
  // an adapter's start is CPU.
  it("a short generated run against --iut linux and --iut linux-nfct conforms, ICMP judged in every case", async () => {
    const runs = ["linux", "linux-nfct"].map((iut) => {
      const out = tempDir("nfconform-frag6-");
      chmodSync(out, 0o777);
      const args = ["run", "--iut", iut, "--area", "frag6", "--seed", "3", "--runs", "15", "--jobs", "9"];
      return new Promise<{ iut: string; status: number | null; stderr: string; out: string }>((done) => {
        execFile(BIN, [...args, "--out", out, "--corpus", "none"], { timeout: 300_000 }, (error, _stdout, stderr) =>
          done({ iut, status: error ? ((error.code as number | undefined) ?? 1) : 0, stderr, out }),
        );
      });
    });
    for (const r of await Promise.all(runs)) {
      expect(r.status, `${r.iut}: ${r.stderr}`).toBe(0);
      const report = JSON.parse(readFileSync(join(r.out, "report.json"), "utf8"));
      expect(report.summary, r.iut).toMatchObject({ passed: 9, failed: 0, iutError: 0 });
      // ICMP is watched in every case: no property left a case unjudged for want of it.
      for (const p of report.properties) expect(p.unjudged ?? 0, `${r.iut} ${p.id}`).toBe(0);
    }
  }, 300_000);
});
