// The hooks area on the running kernel: the kernel facts it rests on
// (equal-priority order, the 1024 limit, EPERM for a dropped local send, what
// nftables answers where the area declines), hooks.batch answering as one
// request a step does, and conforming runs (short ones: CI's main job runs the
// default one). Kernel tests run inside a
// namespace of their own (CI runs as root), each its own, so they run
// concurrently.
import { execFile } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { EINVAL, ENOENT, EOPNOTSUPP } from "../../sys/errno.js";
import { readSuiteSettings } from "../../cli/suite-options.js";
import { HOOKS_AREA } from "../../properties/hooks/area.js";
import { wrapInNamespace } from "../../sys/namespace.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");

function scratch(): string {
  const dir = tempDir("nfconform-hooks-");
  chmodSync(dir, 0o777);
  return dir;
}

/** Runs a command to its end: exit status, stdout and stderr (a failing status is not thrown). */
async function run(argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(argv[0]!, argv.slice(1), {
      encoding: "utf8",
      cwd: ROOT,
      maxBuffer: 64 << 20,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A fixture of test/fixtures run in a namespace of its own. */
function fixture(name: string) {
  return run(wrapInNamespace([process.execPath, join(ROOT, "test/fixtures", name)]));
}

async function runHooks(seed: number, runs: number) {
  const out = scratch();
  const args = [
    "run",
    "--iut",
    "linux",
    "--area",
    "hooks",
    "--seed",
    String(seed),
    "--corpus",
    "none",
    "--out",
    out,
    "--runs",
    String(runs),
    "--jobs",
    "6",
  ];
  const r = await run([BIN, ...args]);
  return { r, report: r.status === 0 ? JSON.parse(readFileSync(join(out, "report.json"), "utf8")) : null };
}

describe.concurrent("--iut linux, hooks area", () => {
  it("rests on measured kernel facts", async () => {
    const r = await fixture("linux-hooks-facts.mjs");
    expect(r.status, r.stderr).toBe(0);
    const f = JSON.parse(r.stdout);
    // a(10), b(-5), c(10) created in that order run as b, c, a (kernel-facts.md).
    expect(f.order).toEqual({ errnos: [0, 0, 0], traversal: { visited: ["b", "c", "a"], verdict: "accept" } });
    // 1024 chains on one list; the 1025th (ipv4 or inet) is E2BIG and changes nothing.
    expect(f.limit).toMatchObject({
      accepted: 1024,
      refused: 7,
      inetRefused: 7,
      unchanged: true,
      visited: 1024,
      chainsBefore: 1024,
      chainsAfter: 1024,
    });
    expect(f.limit.ipv6).toEqual({ visited: [], verdict: "accept" });
    expect(f.limit.afterUnregister).toEqual([0, 0]);
    // A chain that drops makes a plain UDP socket's sendmsg fail with EPERM.
    expect(f.dropSend).toBe("EPERM");
    expect(f.otherPortSend).toBe("sent");
    expect(f.dropTraversal).toEqual({ visited: ["d"], verdict: "drop" });
    // One event per chain of the probe's list, its verdict (NF_ACCEPT 1, NF_DROP 0); another list's chain
    // that the traced probe crosses sends NFT_CONTINUE (-1) and its POLICY, accept (chain-rules.ts).
    expect(f.events).toEqual({
      prerouting: { visited: ["e1", "e2"], verdict: "accept" },
      preroutingEvents: ["e1 rule 1", "e2 rule 1", "p1 rule -1", "p1 policy 1"],
      input: { visited: ["p1"], verdict: "drop" },
      inputEvents: ["p1 rule 0"],
    });
    // Where the area declines: nftables refuses before the core (EOPNOTSUPP)
    // or keeps a device chain by name (0), never the core's EINVAL.
    expect(f.nftables).toEqual({
      ipIngress: EOPNOTSUPP,
      ipInputWithDevice: EOPNOTSUPP,
      arpForward: EOPNOTSUPP,
      bridgeHook5: EOPNOTSUPP,
      netdevNoDevice: 0,
      netdevMissingDevice: 0,
      netdevEgressMissingDevice: 0,
      inetIngressNoDevice: 0,
      inetIngressMissingDevice: 0,
      ipPast: EOPNOTSUPP,
      inetPast: EOPNOTSUPP,
      bridgePast: EOPNOTSUPP,
      arpPast: EOPNOTSUPP,
      netdevPast: EOPNOTSUPP,
      netdevPastWithDevice: EOPNOTSUPP,
    });
    // Hooks with no number in their family: the shared refusal, and nothing registered (ENOENT).
    expect(f.numberless).toEqual([EINVAL, EINVAL, EINVAL, EINVAL, ENOENT]);
    // A partial batch: a missing device and arp forward unjudged (and not sent), the rest judged.
    expect(f.partial).toEqual({
      replies: ["unjudged", { errno: 0 }, "unjudged", { visited: ["a"], verdict: "accept" }, "unjudged", "unjudged"],
      chains: ["a"],
    });
  }, 300_000);

  it("answers every step the same batched (hooks.batch) and one request a step", async () => {
    const r = await fixture("linux-hooks-batch.mjs");
    expect(r.status, r.stderr).toBe(0);
    const cases: { steps: number; alone: unknown[]; batched: unknown[] }[] = JSON.parse(r.stdout);
    expect(cases.length).toBe(44);
    for (const [i, c] of cases.entries()) expect(c.batched, `case ${i}`).toEqual(c.alone);
    // The first case hits each fall-back: E2BIG, room after an unregistration, ENOENT, a shared refusal, a decline last.
    const errnos = (c: { alone: unknown[] }) => c.alone.map((r) => (r as { errno?: number }).errno);
    expect(errnos(cases[0]!).slice(1024, 1030)).toEqual([7, 0, 0, 7, 0, 2]);
    expect(cases[0]!.alone).toHaveLength(1034);
    expect(cases[0]!.alone[1032]).toEqual({ errno: EINVAL }); // hook 5, a refusal nftables and the core share
    expect(cases[0]!.alone[1033]).toMatchObject({ error: { code: "invalid" } });
    // Generated cases judged something: refusals and traversals among them.
    const all = cases.flatMap((c) => c.alone) as Record<string, unknown>[];
    expect(all.filter((r) => r.errno === 7).length).toBeGreaterThan(3);
    expect(all.filter((r) => "visited" in r).length).toBeGreaterThan(50);
  }, 300_000);

  // CI's main job runs the whole default run on the kernel (300 cases a hooks property, over 1,000 in all: the
  // last test); here three more seeds, 60 cases a property each. A limit-1024 case mostly waits on its nf_tables
  // transactions (bench/jobs.md), so six adapters a run overlap those waits.
  it.each([1, 2, 3])(
    "conforms with seed %i",
    async (seed) => {
      const { r, report } = await runHooks(seed, 60);
      expect(r.status, r.stderr).toBe(0);
      expect(report.summary).toMatchObject({ passed: HOOKS_AREA.properties.length, failed: 0, iutError: 0 });
      // Every property judged cases: a pass on none would say nothing.
      for (const p of report.properties) expect(p.runs, p.id).toBeGreaterThan(0);
    },
    300_000,
  );

  it("a default kernel run asks over 1,000 cases of the area", () => {
    const settings = readSuiteSettings({ iut: "linux", area: ["hooks"] });
    const perProperty = settings.runsByArea.hooks ?? settings.runs;
    expect(perProperty * HOOKS_AREA.properties.length).toBeGreaterThanOrEqual(1000);
  });
});
