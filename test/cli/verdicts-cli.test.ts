// End to end: an adapter that declines every case makes every property
// skipped (never passed) in the console and all three reports, and
// --min-judged turns that into a failing run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");
const DECLINING = `cmd:node ${join(ROOT, "test/fixtures/fake-adapter.mjs")} decline`;
const REASON = "no case was judged: the IUT declined 101 (cannot represent this case)";

function nfconform(args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), "nfconform-verdicts-cli-"));
  const r = spawnSync(BIN, args, { cwd, encoding: "utf8" });
  const read = (file: string) => readFileSync(join(cwd, "out", file), "utf8");
  return { code: r.status, stderr: r.stderr, read };
}

const ARGS = ["run", "--iut", DECLINING, "--area", "checksum", "--property", "fill-matches-model"];

describe("an adapter that declines every case, with --corpus none", () => {
  it("is skipped with the same reason in the console, report.json, summary.md and junit.xml", () => {
    const r = nfconform([...ARGS, "--seed", "3", "--out", "out", "--corpus", "none"]);
    // A run that judged nothing is not a pass (exit 2 unless --allow-empty), and its reports say why.
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("no property was judged (1 skipped of 1): not a pass");
    expect(r.stderr).toContain(`SKIPPED   checksum.fill-matches-model [linux] 0 judged, 101 declined`);
    expect(r.stderr).toContain(REASON);
    const report = JSON.parse(r.read("report.json"));
    expect(report.summary).toMatchObject({ passed: 0, skipped: 1 });
    expect(report.properties[0]).toMatchObject({ status: "skipped", skipReason: REASON, judged: 0, declined: 101 });
    expect(r.read("junit.xml")).toContain(`<skipped message="${REASON}"/>`);
    expect(r.read("summary.md")).toContain(
      `| checksum | fill-matches-model | linux | skipped | 0 | 101 | 0 | 0 | 0 | ${REASON} |`,
    );
  });

  it("fails the run under --min-judged", () => {
    const r = nfconform([...ARGS, "--seed", "3", "--out", "out", "--corpus", "none", "--min-judged", "50"]);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.read("report.json")).properties[0]).toMatchObject({ status: "failed", lowJudged: REASON });
  });

  it("--min-judged takes a percentage", () => {
    const r = nfconform([...ARGS, "--min-judged", "150"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--min-judged must be a whole number from 0 to 100, got "150"/);
  });
});
