// A kernel frag6 case may get a namespace an earlier case used
// (iut/linux/frag6/case-namespace-pool.ts), only once namespace-reset.ts has
// proved it holds nothing the case could observe: the replies must be those
// of namespaces made anew, on both reassemblers, and a namespace left holding
// a fragment queue must not be lent again (test/fixtures/frag6-reuse.mjs).
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";

const ROOT = resolve(__dirname, "../..");

async function fixture(...args: string[]): Promise<Record<string, unknown>> {
  const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/frag6-reuse.mjs"), ...args]);
  const r = await new Promise<{ status: number; stdout: string; stderr: string }>((done) =>
    execFile(argv[0]!, argv.slice(1), { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ status: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr }),
    ),
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

interface Pair {
  first: unknown;
  second: { delivered: unknown[]; icmp: unknown[] };
}

interface Stats {
  made: number;
  reused: number;
  refused: Record<string, number>;
}

// The paths sleep more than they compute: they run at once.
describe.concurrent("--iut linux, frag6 area: reused case namespaces", () => {
  it.each(["plain", "conntrack"] as const)(
    "the %s reassembler gives the same replies in reused namespaces as in namespaces made anew",
    async (path) => {
      const r = (await fixture("replies", path)) as {
        fresh: { declined?: string; icmp?: unknown[]; delivered?: unknown[] }[];
        reused: unknown[];
        reusedStats: Stats;
      };
      // Judged cases with deliveries and errors to compare (declines on both sides would prove nothing).
      expect(r.fresh.filter((x) => x.declined)).toEqual([]);
      expect(r.fresh.some((x) => (x.icmp ?? []).length > 0)).toBe(true);
      expect(r.fresh.some((x) => (x.delivered ?? []).length > 0)).toBe(true);
      expect(r.reused).toEqual(r.fresh);
      // Namespaces were reused, and some (left holding queues) were refused: both sides of the reset were taken.
      expect(r.reusedStats.reused).toBeGreaterThan(0);
      expect(Object.values(r.reusedStats.refused).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    },
    60_000,
  );

  it.each(["plain", "conntrack"] as const)(
    "on the %s path a datagram's head alone, after a case that left its tail, is answered as in a namespace of its own",
    async (path) => {
      const r = (await fixture("pair", path)) as { fresh: Pair; reused: Pair };
      expect(r.fresh.second.delivered).toEqual([]);
      expect(r.reused.first).toEqual(r.fresh.first);
      expect(r.reused.second).toEqual(r.fresh.second);
    },
    60_000,
  );

  // Mutant: no conntrack probe (a threshold no queue reaches); the tail's queue meets the head and the datagram is delivered.
  it("without the conntrack probe the head would complete the earlier case's tail (the check above catches it)", async () => {
    const r = (await fixture("pair", "conntrack", "lax")) as { fresh: Pair; reused: Pair };
    expect(r.reused.second.delivered.length).toBe(1);
    expect(r.reused.second).not.toEqual(r.fresh.second);
  }, 60_000);

  it.each(["plain", "conntrack"] as const)(
    "on the %s path a namespace holding a fragment queue, or reached by NDISC, is not lent again; a clean one is",
    async (path) => {
      const r = await fixture("leftover", path);
      expect(r.reusedAfterLeftover).toBe(false);
      expect(r.reusedAfterClean).toBe(true);
      expect(r.reusedAfterNdisc).toBe(false);
      expect(Object.keys((r.stats as Stats).refused)).toContain("ICMPv6 that leaves state: Icmp6InType135 N");
    },
    60_000,
  );

  // Mutant: the conntrack probe's threshold 2,000 bytes too high lets a leftover queue's memory pass.
  it("a lax conntrack probe would lend the namespace holding a queue (the check above catches it)", async () => {
    const r = await fixture("leftover", "conntrack", "lax");
    expect(r.reusedAfterLeftover).toBe(true);
  }, 60_000);
});
