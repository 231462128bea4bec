// End to end: an adapter that declines every case makes every property
// skipped (never passed) in the console and all three reports, and
// --min-judged turns that into a failing run.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { AREAS } from "../../properties/areas.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");
const DECLINING = `cmd:node ${join(ROOT, "test/fixtures/fake-adapter.mjs")} decline`;
const REASON = "no case was judged: the IUT declined 101 (cannot represent this case)";

function nfconform(args: string[]) {
  const cwd = tempDir("nfconform-verdicts-cli-");
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

describe("replay and corpus check: a case with no verdict is never reported as conforming", () => {
  /** Runs in `cwd`, for commands that read a corpus there. */
  const at = (cwd: string, args: string[]) => {
    const r = spawnSync(BIN, args, { cwd, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  /** A bpf xt-bpf-refuses-65 case of one instruction: the model answers it, the property has nothing to judge. */
  function unjudgedCase(cwd: string): string {
    const dir = join(cwd, "corpus/bpf/xt-bpf-refuses-65");
    mkdirSync(dir, { recursive: true });
    const bpf = AREAS.find((a) => a.name === "bpf")!;
    const file = join(dir, "short.json");
    const entry = {
      format: "nfconform-case",
      version: 1,
      area: "bpf",
      property: "xt-bpf-refuses-65",
      profile: bpf.defaultProfile,
      input: { attach: "xt_bpf", program: [[6, 0, 0, 0]], packets: [] },
      expected: null,
      observed: null,
      message: "written by hand",
      foundBy: { iut: "model", iutName: null, seed: null, savedAt: "2026-01-01T00:00:00.000Z" },
    };
    writeFileSync(file, JSON.stringify(entry));
    return file;
  }

  /** A checksum case saved by a run against a mutant: the declining adapter declines it. */
  function checksumCase(cwd: string): string {
    at(cwd, [...ARGS.slice(0, 1), "--iut", "mutant:checksum-odd-byte-dropped", ...ARGS.slice(3), "--seed", "3"]);
    const dir = join(cwd, "corpus/checksum/fill-matches-model");
    return join(dir, readdirSync(dir).find((f) => f.endsWith(".json"))!);
  }

  it("replay says `not judged` with the check's reason, and exits 2", () => {
    const cwd = tempDir("nfconform-no-verdict-");
    const r = at(cwd, ["replay", unjudgedCase(cwd), "--iut", "model"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^verdict: {2}not judged: not a 65-instruction program$/m);
    expect(r.stdout).not.toMatch(/conforms/);
    expect(r.stderr).toMatch(/^nfconform: the case got no verdict \(not judged\): not a pass$/m);
  });

  it("replay says `declined` with the IUT's reason, and exits 2", () => {
    const cwd = tempDir("nfconform-no-verdict-");
    const file = checksumCase(cwd);
    expect(at(cwd, ["replay", file, "--iut", "model"]).code).toBe(0);
    const r = at(cwd, ["replay", file, "--iut", DECLINING]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toMatch(/^verdict: {2}declined: cannot represent this case$/m);
  });

  it("corpus check counts judged, declined and not judged apart; judging nothing exits 2 unless --allow-empty", () => {
    const cwd = tempDir("nfconform-no-verdict-");
    const unjudged = unjudgedCase(cwd);
    const saved = checksumCase(cwd);
    const onModel = at(cwd, ["corpus", "check", "--iut", "model"]);
    expect(onModel.code, onModel.stderr).toBe(0);
    expect(onModel.stdout).toContain(`not judged ${unjudged}: not a 65-instruction program`);
    expect(onModel.stdout).toContain(`conforms   ${saved}`);
    expect(onModel.stderr).toMatch(/2 cases against model: 1 conform, 0 violate, 1 judged, 0 declined, 1 not judged/);
    // Against the declining adapter nothing is judged: one declined, one not judged, no pass.
    const declining = at(cwd, ["corpus", "check", "--iut", DECLINING, "--area", "checksum,bpf"]);
    expect(declining.code, declining.stderr).toBe(2);
    expect(declining.stdout).toContain(`declined   ${saved}: cannot represent this case`);
    expect(declining.stderr).toMatch(/0 conform, 0 violate, 0 judged, 1 declined, 1 not judged/);
    expect(declining.stderr).toMatch(/^nfconform: corpus check judged no case: not a pass/m);
    expect(at(cwd, ["corpus", "check", "--iut", DECLINING, "--area", "checksum,bpf", "--allow-empty"]).code).toBe(0);
  });
});
