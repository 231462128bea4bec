// The kernel frag6 IUT runs many cases at once in one process, each in a
// namespace of its own (run-case.ts: a case enters its namespace only for its
// synchronous moments and sleeps while its queues expire): the replies must be
// those the same cases give one at a time, on both reassemblers
// (test/fixtures/frag6-concurrent-replies.mjs: staggered, one attempt each, so
// cases that disturb each other show as a decline, not a silent re-run).
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");

interface Passes {
  sequential: unknown[];
  concurrent: unknown[];
  sequentialMs: number;
  concurrentMs: number;
}

async function passes(path: "plain" | "conntrack"): Promise<Passes> {
  const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/frag6-concurrent-replies.mjs"), path]);
  const r = await new Promise<{ status: number; stdout: string; stderr: string }>((done) =>
    execFile(argv[0]!, argv.slice(1), { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ status: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr }),
    ),
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

// The two paths sleep more than they compute: they run at once.
describe.concurrent("--iut linux, frag6 area: cases at once", () => {
  it.each(["plain", "conntrack"] as const)(
    "the %s reassembler gives the same replies to cases run at once as one at a time",
    async (path) => {
      const p = await passes(path);
      // Judged cases, with deliveries and errors to compare (a decline on both sides would prove nothing).
      expect(p.sequential.filter((r) => (r as { declined?: string }).declined)).toEqual([]);
      expect(p.sequential.some((r) => ((r as { icmp?: unknown[] }).icmp ?? []).length > 0)).toBe(true);
      expect(p.concurrent).toEqual(p.sequential);
      // The queues' real-time waits overlapped: the cases at once took well under the one-at-a-time pass.
      expect(p.concurrentMs).toBeLessThan(p.sequentialMs * 0.75);
    },
    60_000,
  );
});
