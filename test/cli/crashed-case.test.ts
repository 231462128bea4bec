// An implementation that crashes on some inputs (the adapter answers
// `crashed` and lives on, docs/adapter-protocol.md): each such case is a
// violation of the property, shrunk, saved and replayable, counted in the
// reports, and the property's other cases are still judged (not an iut-error).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");
const CRASHING = `cmd:node ${join(ROOT, "test/fixtures/fake-adapter.mjs")} crash-on-big`;
const CRASH = "fake stack aborted (signal 6): packet too big";

describe("an implementation that crashes on packets over 100 bytes", () => {
  const cwd = tempDir("nfconform-crashed-");
  const run = (args: string[]) => spawnSync(BIN, args, { cwd, encoding: "utf8" });
  const args = ["--iut", CRASHING, "--area", "checksum", "--property", "fill-matches-model", "--seed", "5"];

  it("fails the property with the crash as a shrunk, saved violation, and judges every other case", () => {
    const r = run(["run", ...args, "--runs", "60", "--out", "out", "--corpus", "corpus"]);
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(cwd, "out/report.json"), "utf8"));
    const p = report.properties[0];
    expect(p.status).toBe("failed");
    expect(p.iutError).toBeUndefined();
    // The budget was spent on judged cases: the crashes did not stop the property.
    expect(p.runs).toBe(60);
    expect(p.crashed).toBeGreaterThan(0);
    expect(p.crashed).toBeLessThan(60);
    expect(p.crashedReasons).toEqual([`the implementation crashed: ${CRASH}`]);
    const crash = p.violations.find((v: { key: string }) => v.key === "the implementation crashed");
    expect(crash).toMatchObject({ observed: { crashed: CRASH }, source: "generated" });
    expect(crash.shrinks).toBeGreaterThan(0);
    expect(crash.counterexample.packet.length).toBeGreaterThan(200);
    expect(crash.caseFile).toContain("/corpus/checksum/fill-matches-model/");
    expect(readFileSync(join(cwd, "out/summary.md"), "utf8")).toMatch(
      /crashed the implementation: [1-9]\d*;[\s\S]*\*\*the implementation crashed\*\* on \d+ judged cases/,
    );
    expect(r.stderr).toContain("crashed the implementation");

    // The saved case replays to the same crash.
    const replay = run(["replay", crash.caseFile, "--iut", CRASHING]);
    expect(replay.status, replay.stderr).toBe(1);
    expect(`${replay.stdout}${replay.stderr}`).toContain(CRASH);
  });
});
