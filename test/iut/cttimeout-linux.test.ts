// The kernel's cttimeout area: a conforming run, and a cross-check with nfct
// (conntrack-tools) inside a throwaway namespace, never the host's.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { findExecutable, wrapInNamespace } from "../../sys/namespace.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");

describe("--iut linux, cttimeout area", () => {
  it("conforms with seed 1", () => {
    const out = tempDir("nfconform-ctt-");
    const r = spawnSync(
      BIN,
      // Four adapters overlap the RCU waits of detach and reset; the default 24 would cost more to start than they save.
      [
        "run",
        "--iut",
        "linux",
        "--area",
        "cttimeout",
        "--seed",
        "1",
        "--runs",
        "60",
        "--jobs",
        "4",
        "--out",
        out,
        "--corpus",
        "none",
      ],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.summary).toMatchObject({ failed: 0, iutError: 0 });
  }, 180_000);

  it("gives the same verdicts with --jobs 1 and --jobs 3", () => {
    const verdicts = (jobs: number) => {
      const out = tempDir("nfconform-ctt-jobs-");
      const argv = ["run", "--iut", "linux", "--area", "cttimeout", "--seed", "1543570559", "--runs", "10"];
      const r = spawnSync(BIN, [...argv, "--jobs", String(jobs), "--out", out, "--corpus", "none"], {
        encoding: "utf8",
      });
      expect(r.status, r.stderr).toBe(0);
      if (jobs > 1) expect(r.stderr).toContain(`${jobs} jobs`);
      const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
      return report.properties.map((p: Record<string, unknown>) => [p.id, p.status, p.judged, p.declined, p.unjudged]);
    };
    expect(verdicts(3)).toEqual(verdicts(1));
  }, 180_000);

  it("renews every namespace it turns through: after each reset the state reads as a fresh model's", () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/cttimeout-slots.mjs")]);
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    // Nine rounds: with four slots, every slot comes back at least once with a held policy, a released one and
    // changed defaults, most twice (a reset passes over a slot still releasing).
    expect(result).toEqual({
      freshAfterReset: Array(9).fill(true),
      dirtyBeforeReset: Array(9).fill(true),
      whileReleasingAsModel: true,
    });
  }, 60_000);

  it.skipIf(!findExecutable("nfct"))(
    "agrees with nfct on policies, references and reset",
    () => {
      const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/cttimeout-cross-check.mjs")]);
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
      expect(r.status, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout);
      expect(result).toMatchObject({
        nfctPolicyAsModel: true,
        nfctListsOurs: true,
        attachErrno: 0,
        detachErrno: 0,
        nfctDeleteAfterDetach: 0,
        afterReset: { list: "", udp: true },
      });
      expect(result.nfctDeleteWhileUsed.status).not.toBe(0);
      expect(result.nfctDeleteWhileUsed.stderr).toMatch(/busy/i);
    },
    60_000,
  );
});
