// The running kernel as an IUT: a conforming run as root and as an
// unprivileged user, nothing left behind after kill -9, and cross-checks with
// independent tools. These tests need namespaces (CI runs as root).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");

function scratch(): string {
  const dir = tempDir("nfconform-linux-");
  chmodSync(dir, 0o777);
  return dir;
}

function hostLinks(): string {
  return execFileSync("ip", ["-o", "link"], { encoding: "utf8" })
    .replace(/\s+link\/.*$/gm, "")
    .split("\n")
    .map((l) => l.split(":")[1]?.trim())
    .sort()
    .join(",");
}

describe("--iut linux, checksum area", () => {
  it("conforms as root with over 1,000 kernel cases and names the kernel", () => {
    const out = scratch();
    const r = spawnSync(
      BIN,
      // The default number of cases; checksum cases take milliseconds, so two adapters (not the default 24) judge them.
      ["run", "--iut", "linux", "--area", "checksum", "--seed", "11", "--jobs", "2", "--out", out, "--corpus", "none"],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.iut.kernel).toMatch(/^Linux \d+\.\d+/);
    expect(report.summary).toMatchObject({ passed: 7, failed: 0, iutError: 0 });
    const judged = report.properties.reduce((n: number, p: { runs: number }) => n + p.runs, 0);
    expect(judged).toBeGreaterThanOrEqual(1000);
    expect(readFileSync(join(out, "summary.md"), "utf8")).toMatch(/kernel Linux/);
  }, 180_000); // slower beside CI's other test workers

  it("conforms as an unprivileged user, through a user namespace", () => {
    const out = scratch();
    const r = spawnSync(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        BIN,
        "run",
        "--iut",
        "linux",
        "--area",
        "checksum",
        "--runs",
        "60",
        "--seed",
        "3",
        "--jobs",
        "2",
        "--out",
        out,
        "--corpus",
        "none",
      ],
      { encoding: "utf8", cwd: out },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/7 passed, 0 failed/);
  }, 180_000); // slower than as root (user namespace setup), and slower still beside CI's other test workers

  it("leaves no namespace, interface or rule behind when the run is killed with SIGKILL", async () => {
    const linksBefore = hostLinks();
    const rulesBefore = execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" });
    const out = scratch();
    const run = spawn(
      BIN,
      [
        "run",
        "--iut",
        "linux",
        "--area",
        "checksum",
        "--runs",
        "100000000",
        "--jobs",
        "2",
        "--out",
        out,
        "--corpus",
        "none",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    // Wait until the adapter answered hello: its namespace and test network exist. As long as the
    // kernel IUT's own start deadline (60 s, cli/resolve-iut.ts): beside CI's workers 20 s was too short.
    await new Promise<void>((resolveStarted, reject) => {
      const timer = setTimeout(() => reject(new Error("the run did not start")), 60_000);
      run.stderr.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("nfconform run: IUT linux")) {
          clearTimeout(timer);
          resolveStarted();
        }
      });
    });
    const namespaces = namespacesBelow(run.pid!);
    expect(namespaces.size).toBeGreaterThan(0);
    run.kill("SIGKILL");
    await new Promise((r) => run.once("exit", r));
    // The kernel tears the namespace down once its last process is gone.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && processesIn(namespaces) > 0) await new Promise((r) => setTimeout(r, 100));
    expect(processesIn(namespaces)).toBe(0);
    expect(hostLinks()).toBe(linksBefore);
    expect(execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" })).toBe(rulesBefore);
  }, 120_000);

  it("agrees with independent tools: partial values, nft's listing, iptables-nft", () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/linux-cross-check.mjs")]);
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    // Without the rule, the field holds the folded pseudo-header sum, as the model predicts.
    expect(result.partialChecked).toBeGreaterThan(50);
    expect(result.partialMismatches).toEqual([]);
    // nft lists the installed rule as an xtables CHECKSUM target in mangle postrouting.
    const rules = result.nftRuleset.nftables
      .filter((e: { rule?: unknown }) => e.rule)
      .map((e: { rule: object }) => e.rule);
    const fill = rules.filter(
      (rule: { table: string; chain: string; expr: unknown[] }) =>
        rule.table === "mangle" && rule.chain === "nfconform_fill",
    );
    expect(fill).toHaveLength(2); // ip and ip6
    expect(JSON.stringify(fill[0].expr)).toMatch(/"xt":\{"type":"target","name":"CHECKSUM"\}/);
    const chains = result.nftRuleset.nftables
      .filter((e: { chain?: { name: string } }) => e.chain?.name === "nfconform_fill")
      .map((e: { chain: object }) => e.chain);
    expect(chains[0]).toMatchObject({
      table: "mangle",
      type: "filter",
      hook: "postrouting",
      prio: -150,
      policy: "accept",
    });
    // iptables-nft refuses the target in filter and accepts it in mangle, as checkentry says.
    expect(result.iptablesFilter.status).not.toBe(0);
    expect(result.kernelFilter).toBe(22);
    expect(result.iptablesMangle.status).toBe(0);
    expect(result.kernelMangle).toBe(0);
  });
});

/** Network namespaces of the descendants of pid that differ from the host's. */
function namespacesBelow(pid: number): Set<string> {
  const host = readlinkSync(`/proc/${process.pid}/ns/net`);
  const found = new Set<string>();
  const children = (p: number): number[] => {
    try {
      return readdirSync(`/proc/${p}/task`).flatMap((t) =>
        readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
      );
    } catch {
      return [];
    }
  };
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    try {
      const ns = readlinkSync(`/proc/${p}/ns/net`);
      if (ns !== host) found.add(ns);
    } catch {
      // gone or not ours
    }
    queue.push(...children(p));
  }
  return found;
}

function processesIn(namespaces: Set<string>): number {
  let n = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (namespaces.has(readlinkSync(`/proc/${entry}/ns/net`))) n++;
    } catch {
      // gone
    }
  }
  return n;
}
