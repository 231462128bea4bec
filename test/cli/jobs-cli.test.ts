// --jobs end to end: N adapter processes give the run of one; an instance
// that fails to start is named and the run goes on with the others; bad
// values and commands that run one instance say so in one line.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");
const MUTANT_ADAPTER = `${BIN} adapter model --mutant checksum-odd-byte-dropped`;

function nfconform(args: string[]) {
  const cwd = tempDir("nfconform-jobs-cli-");
  const r = spawnSync(BIN, args, { cwd, encoding: "utf8" });
  const report = () => JSON.parse(readFileSync(join(cwd, "out", "report.json"), "utf8"));
  return { code: r.status, stderr: r.stderr, report, cwd };
}

/** What a report decided, without timings or the command lines (which name the IUT's command). */
function verdicts(report: { properties: unknown[] }): unknown {
  const dropped = new Set(["durationMs", "rerun", "replay"]);
  return JSON.parse(JSON.stringify(report.properties, (key, value) => (dropped.has(key) ? undefined : value)));
}

const RUN = ["run", "--area", "checksum", "--seed", "7", "--runs", "20", "--corpus", "none", "--out", "out"];

/** The run on one adapter process, which both tests below compare with: made once, by whichever runs first. */
let single: ReturnType<typeof nfconform> | undefined;
const oneJob = () => {
  single ??= nfconform([...RUN, "--iut", `cmd:${MUTANT_ADAPTER}`, "--jobs", "1"]);
  return single;
};

describe("--jobs", () => {
  it("N adapter processes find, shrink and report what one finds", () => {
    const one = oneJob();
    const three = nfconform([...RUN, "--iut", `cmd:${MUTANT_ADAPTER}`, "--jobs", "3"]);
    expect(one.code, one.stderr).toBe(1);
    expect(three.code, three.stderr).toBe(1);
    expect(three.stderr).toContain("3 jobs");
    expect(verdicts(three.report())).toEqual(verdicts(one.report()));
  }, 60_000);

  it("an instance that fails to start is named, and the run goes on with the others", () => {
    // The first start takes the lock and serves the mutant; every later one exits at once.
    const lock = join(tempDir("nfconform-jobs-lock-"), "taken");
    const adapter = `cmd:mkdir ${lock} 2>/dev/null && exec ${MUTANT_ADAPTER} || exit 3`;
    const r = nfconform([...RUN, "--iut", adapter, "--jobs", "2"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/instance 2 of 2 \(--jobs\) of cmd:.* did not start: .*; judging on the others/);
    expect(verdicts(r.report())).toEqual(verdicts(oneJob().report()));
  }, 60_000);

  it("refuses 0, and matrix refuses it, each in one line", () => {
    const zero = nfconform(["run", "--iut", "model", "--jobs", "0"]);
    expect(zero.code).toBe(2);
    expect(zero.stderr.trim()).toBe('nfconform: --jobs must be a whole number from 1 to 64, got "0"');
    const matrix = nfconform(["matrix", "--iut", "model", "--iut", "model", "--jobs", "2"]);
    expect(matrix.code).toBe(2);
    expect(matrix.stderr.trim()).toMatch(/^nfconform: matrix runs one instance of each IUT: --jobs is an option of/);
  });
});
