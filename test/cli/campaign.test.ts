// Campaign tools: fuzz, shards and their merge, corpus check and minimize.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");

function nfconform(args: string[], cwd: string) {
  const r = spawnSync(BIN, args, { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const workdir = () => tempDir("nfconform-campaign-");
const report = (dir: string) => JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));

describe("nfconform run --shard and report merge", () => {
  it("gives, merged, the same totals and verdicts as one unsharded run with the same seed", () => {
    const cwd = workdir();
    // In-process: sharding is the harness's, not the adapter's (an external adapter costs each of the three runs ~1.4 s of CPU more).
    const iut = "mutant:checksum-odd-byte-dropped";
    const common = ["--iut", iut, "--area", "checksum", "--seed", "21", "--runs", "150", "--corpus", "none"];
    expect(nfconform(["run", ...common, "--out", "whole"], cwd).code).toBe(1);
    expect(nfconform(["run", ...common, "--shard", "1/2", "--out", "s1"], cwd).code).toBe(1);
    nfconform(["run", ...common, "--shard", "2/2", "--out", "s2"], cwd);
    const merged = nfconform(["report", "merge", "s1", "s2", "--out", "merged"], cwd);
    expect(merged.code).toBe(1);
    const strip = (r: {
      summary: unknown;
      properties: { id: string; status: string; runs: number; seed: number; violation?: { counterexample: unknown } }[];
    }) => ({
      summary: r.summary,
      properties: r.properties.map((p) => [
        p.id,
        p.status,
        p.runs,
        p.seed,
        JSON.stringify(p.violation?.counterexample ?? null),
      ]),
    });
    expect(strip(report(join(cwd, "merged")))).toEqual(strip(report(join(cwd, "whole"))));
    expect(report(join(cwd, "s1")).properties.length + report(join(cwd, "s2")).properties.length).toBe(7);
  });

  it("refuses to merge overlapping shards or different seeds", () => {
    const cwd = workdir();
    const common = ["--iut", "model", "--area", "checksum", "--runs", "20", "--corpus", "none"];
    nfconform(["run", ...common, "--seed", "1", "--out", "a"], cwd);
    nfconform(["run", ...common, "--seed", "2", "--out", "b"], cwd);
    expect(nfconform(["report", "merge", "a", "a"], cwd).stderr).toMatch(/also in a \(overlapping shards\)/);
    const r = nfconform(["report", "merge", "a", "b"], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/seed 2 differs from a's 1/);
    expect(nfconform(["run", "--shard", "3/2"], cwd).stderr).toMatch(/--shard must look like i\/n/);
  });
});

describe("report merge proves its shards one whole run", () => {
  it("refuses a missing shard, an unknown status, an empty shard, a digest of another run and an input as output", () => {
    const cwd = workdir();
    const common = ["--iut", "model", "--area", "checksum", "--runs", "5", "--seed", "4", "--corpus", "none"];
    for (const i of [1, 2, 3])
      expect(nfconform(["run", ...common, "--shard", `${i}/3`, "--out", `s${i}`], cwd).code).toBe(0);
    const s1 = report(join(cwd, "s1"));
    expect(s1.shard).toEqual({ index: 1, count: 3 });
    expect(s1.propertiesDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(nfconform(["report", "merge", "s1", "s2", "s3", "--out", "all"], cwd).code).toBe(0);
    expect(report(join(cwd, "all")).shard).toBeUndefined();

    const missing = nfconform(["report", "merge", "s1", "s3", "--out", "m"], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/shard 2\/3 missing: 2 of 3 given/);

    // A shard's report with one property dropped: the digest shows the set incomplete.
    const cut = { ...report(join(cwd, "s2")) };
    cut.properties = cut.properties.slice(1);
    mkdirSync(join(cwd, "cut"));
    writeFileSync(join(cwd, "cut/report.json"), JSON.stringify(cut));
    expect(nfconform(["report", "merge", "s1", "cut", "s3", "--out", "m"], cwd).stderr).toMatch(
      /a shard is incomplete/,
    );

    const empty = { ...cut, properties: [] };
    mkdirSync(join(cwd, "empty"));
    writeFileSync(join(cwd, "empty/report.json"), JSON.stringify(empty));
    expect(nfconform(["report", "merge", "s1", "empty", "s3", "--out", "m"], cwd).stderr).toMatch(/an empty shard/);

    const odd = report(join(cwd, "s2"));
    odd.properties[0].status = "maybe";
    mkdirSync(join(cwd, "odd"));
    writeFileSync(join(cwd, "odd/report.json"), JSON.stringify(odd));
    expect(nfconform(["report", "merge", "s1", "odd", "s3", "--out", "m"], cwd).stderr).toMatch(/has status "maybe"/);

    const other = nfconform(["run", ...common, "--area", "checksum,bpf", "--shard", "2/3", "--out", "other"], cwd);
    expect(other.code).toBe(0);
    expect(nfconform(["report", "merge", "s1", "other", "s3", "--out", "m"], cwd).stderr).toMatch(/digests differ/);

    const before = readFileSync(join(cwd, "s1/report.json"), "utf8");
    const over = nfconform(["report", "merge", "s1", "s2", "s3", "--out", "./s1/"], cwd);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/is one of its inputs/);
    expect(readFileSync(join(cwd, "s1/report.json"), "utf8")).toBe(before);
    expect(existsSync(join(cwd, "m"))).toBe(false);
  });
});

describe("nfconform fuzz", () => {
  it("finds and saves a violation of a mutant adapter within its budget, with progress", () => {
    const cwd = workdir();
    const r = nfconform(
      [
        "fuzz",
        "--iut",
        `cmd:${BIN} adapter model --mutant checksum-zero-not-mangled`,
        "--area",
        "checksum",
        "--time",
        "4s",
        "--out",
        "out",
        "--seed",
        "8",
      ],
      cwd,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /fuzz \d\d:\d\d elapsed, \d\d:\d\d left: \d+ cases \(\d+\/s; checksum \d+\/s\), \d+ distinct violations/,
    );
    const found = report(join(cwd, "out")).properties.filter((p: { status: string }) => p.status === "failed");
    expect(found.length).toBeGreaterThan(0);
    expect(found[0].distinctViolations.length).toBeGreaterThan(0);
    expect(existsSync(found[0].distinctViolations[0])).toBe(true);
  });

  it("finds nothing on a conforming IUT", () => {
    const r = nfconform(
      ["fuzz", "--iut", "model", "--area", "checksum", "--time", "2s", "--out", "out", "--corpus", "none"],
      workdir(),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/0 distinct violations \(0 saved\)/);
  });

  it("counts the violations it found also when the corpus keeps none", () => {
    const r = nfconform(
      [
        "fuzz",
        "--iut",
        "mutant:checksum-odd-byte-dropped",
        "--area",
        "checksum",
        "--time",
        "2s",
        "--out",
        "out",
        "--corpus",
        "none",
        "--seed",
        "3",
      ],
      workdir(),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/[1-9]\d* distinct violations \(0 saved\)/);
  });

  it("keeps what it found and writes the report when interrupted with Ctrl-C", async () => {
    const cwd = workdir();
    const child = spawn(
      BIN,
      ["fuzz", "--iut", "mutant:checksum-odd-byte-dropped", "--area", "checksum", "--time", "10m", "--out", "out"],
      { cwd, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Interrupt once progress shows a violation was found.
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        if (/[1-9]\d* distinct violations/.test(stderr)) {
          clearInterval(timer);
          child.kill("SIGINT");
          done();
        }
      }, 100);
    });
    const code = await new Promise<number | null>((done) => child.on("exit", done));
    expect(code).toBe(1);
    expect(stderr).toMatch(/interrupted; keeping what was found/);
    const found = report(join(cwd, "out")).properties.filter((p: { status: string }) => p.status === "failed");
    expect(found.length).toBeGreaterThan(0);
    expect(readdirSync(join(cwd, "corpus/checksum")).length).toBeGreaterThan(0);
  }, 120_000);
});

describe("nfconform corpus", () => {
  it("checks every saved case against an IUT and minimizes duplicates", () => {
    const cwd = workdir();
    nfconform(["run", "--iut", "mutant:checksum-any-table", "--area", "checksum", "--seed", "2", "--out", "out"], cwd);
    const dir = join(cwd, "corpus/checksum/checkentry-errno");
    const [file] = readdirSync(dir);
    copyFileSync(join(dir, file!), join(dir, "copy-of-it.json"));
    const onModel = nfconform(["corpus", "check", "--iut", "model"], cwd);
    expect(onModel.code).toBe(0);
    expect(onModel.stderr).toMatch(/2 cases against model: 2 conform, 0 violate/);
    const onMutant = nfconform(["corpus", "check", "--iut", "mutant:checksum-any-table"], cwd);
    expect(onMutant.code).toBe(1);
    expect(onMutant.stdout).toMatch(/VIOLATES .*checkentry-errno/);
    const minimized = nfconform(["corpus", "minimize"], cwd);
    expect(minimized.stderr).toMatch(/2 cases, 1 dropped, 1 kept/);
    expect(readdirSync(dir)).toHaveLength(1);
  });
});
