// `run --coverage` end to end: the rules reached per area on stderr, in
// summary.md and report.json, with V8 coverage of the model's files; and a
// violation's deciding rule on the console and in `replay`.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const BIN = resolve(__dirname, "../../bin/nfconform");

function nfconform(args: string[], cwd: string) {
  return spawnSync(BIN, args, { cwd, encoding: "utf8" });
}

describe("nfconform run --coverage", () => {
  it("reports the model rules the cases reached, per area, and V8 coverage of model/", () => {
    const cwd = tempDir("nfconform-coverage-");
    const r = nfconform(
      ["run", "--iut", "model", "--area", "checksum", "--corpus", "none", "--out", "out", "--seed", "5", "--coverage"],
      cwd,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rules checksum: \d+\/\d+ reached/);
    const report = JSON.parse(readFileSync(join(cwd, "out/report.json"), "utf8"));
    const area = report.coverage.areas.find((a: { area: string }) => a.area === "checksum");
    expect(area.total).toBeGreaterThan(5);
    expect(area.rules.find((x: { id: string }) => x.id === "partial-filled").hits).toBeGreaterThan(0);
    expect(report.properties[0].ruleHits).toBeDefined();
    const v8 = report.coverage.v8.find((f: { file: string }) => f.file === "model/checksum/checksum-target.js");
    expect(v8.bytes).toBeGreaterThan(0.5);
    expect(readFileSync(join(cwd, "out/summary.md"), "utf8")).toContain("## Model rules reached");
  });

  it("names the deciding rule of a violation on the console and in replay", () => {
    const cwd = tempDir("nfconform-rule-");
    const iut = "mutant:checksum-any-table";
    const r = nfconform(
      [
        "run",
        "--iut",
        iut,
        "--area",
        "checksum",
        "--property",
        "checkentry-errno",
        "--out",
        "out",
        "--corpus",
        "c",
        "--seed",
        "5",
      ],
      cwd,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/model rule checkentry-not-mangle .*\[net\/netfilter\/x_tables\.c/);
    const dir = join(cwd, "c/checksum/checkentry-errno");
    const file = readdirSync(dir).find((f) => f.endsWith(".json"))!;
    const replay = nfconform(["replay", join(dir, file), "--iut", iut], cwd);
    expect(replay.status).toBe(1);
    expect(replay.stdout).toMatch(/^rule: +model rule checkentry-not-mangle/m);
  });
});
