// The nfconform command end to end, as a CI job would run it.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");
const FAKE = `node ${join(ROOT, "test/fixtures/fake-adapter.mjs")}`;

function nfconform(args: string[], cwd: string) {
  const r = spawnSync(BIN, args, { cwd, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function workdir(): string {
  return tempDir("nfconform-cli-");
}

/** The printed replay command, with `nfconform` pointing at this checkout. */
function runPrinted(command: string, cwd: string) {
  return spawnSync("/bin/sh", ["-c", command.replace(/^nfconform /, `${BIN} `)], { cwd, encoding: "utf8" });
}

describe("nfconform run", () => {
  it("passes the model against itself and writes the three reports", () => {
    const cwd = workdir();
    const r = nfconform(["run", "--iut", "model", "--area", "checksum", "--out", "out", "--seed", "5"], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/7 passed, 0 failed, 0 skipped, 0 iut-error/);
    const report = JSON.parse(readFileSync(join(cwd, "out/report.json"), "utf8"));
    expect(report).toMatchObject({
      schema: "nfconform-report",
      schemaVersion: 1,
      seed: 5,
      summary: { passed: 7, failed: 0, skipped: 0, iutError: 0, total: 7 },
    });
    expect(report.iut.hello.name).toBe("nfconform-model");
    expect(report.properties[0]).toMatchObject({ area: "checksum", status: "passed", profile: "linux" });
    expect(report.properties[0].citation).toMatch(/xt_CHECKSUM\.c/);
    const junit = readFileSync(join(cwd, "out/junit.xml"), "utf8");
    expect(junit.match(/<testcase /g)).toHaveLength(7);
    expect(readFileSync(join(cwd, "out/summary.md"), "utf8")).toMatch(
      /\| checksum \| fill-matches-model \| linux \| passed \|/,
    );
    expect(existsSync(join(cwd, "corpus"))).toBe(false);
  });

  it("catches a broken external adapter, saves the case and a pcap, and prints a replay that reproduces it", () => {
    const cwd = workdir();
    const iut = `cmd:${BIN} adapter model --mutant checksum-odd-byte-dropped`;
    const r = nfconform(["run", "--iut", iut, "--area", "checksum", "--out", "out", "--seed", "3"], cwd);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(cwd, "out/report.json"), "utf8"));
    const failed = report.properties.filter((p: { status: string }) => p.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    const v = failed[0].violation;
    expect(v.counterexample.packet).toMatch(/^[0-9a-f]+$/);
    expect(v.replay).toMatch(/^nfconform replay corpus\/checksum\/[a-z-]+\/[0-9a-f]{16}\.json --iut /);
    expect(readFileSync(join(cwd, "out/junit.xml"), "utf8")).toContain("replay: nfconform replay corpus/checksum/");
    expect(readFileSync(join(cwd, "out/summary.md"), "utf8")).toContain(v.replay);

    // The packets land in the corpus as a pcap tcpdump reads.
    const pcap = v.pcapFile;
    const dump = execFileSync("tcpdump", ["-nr", pcap], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(dump.trim().split("\n")).toHaveLength(3); // input, expected, observed

    // The printed command reproduces the violation; the model conforms on the same case.
    const replay = runPrinted(v.replay, cwd);
    expect(replay.status, replay.stderr).toBe(1);
    expect(replay.stdout).toMatch(/verdict: {2}VIOLATION/);
    const onModel = nfconform(["replay", v.caseFile, "--iut", "model"], cwd);
    expect(onModel.code).toBe(0);
    expect(onModel.stdout).toMatch(/verdict: {2}conforms/);

    // The rerun command replays the shrunk case through fast-check's path.
    const rerun = runPrinted(`${failed[0].rerun} --corpus none --out again`.replace(/ --runs \d+/, ` --runs 300`), cwd);
    expect(rerun.status).toBe(1);

    // Next run: the saved cases run first and still fail.
    const again = nfconform(["run", "--iut", iut, "--area", "checksum", "--out", "out2", "--seed", "99"], cwd);
    expect(again.code).toBe(1);
    const second = JSON.parse(readFileSync(join(cwd, "out2/report.json"), "utf8"));
    const fromCorpus = second.properties.filter(
      (p: { violation?: { source: string } }) => p.violation?.source === "corpus",
    );
    expect(fromCorpus.length).toBeGreaterThan(0);
  });

  it("stops with exit 2 naming a malformed corpus file, and keeps the file", () => {
    const cwd = workdir();
    const dir = join(cwd, "corpus/checksum/fill-matches-model");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "broken.json"), "{ not json");
    writeFileSync(
      join(dir, "wrong.json"),
      JSON.stringify({
        format: "nfconform-case",
        version: 1,
        area: "checksum",
        property: "fill-matches-model",
        profile: "linux",
        input: { packet: "45", state: "partial", gso: false },
      }),
    );
    const r = nfconform(["run", "--area", "checksum", "--out", "out"], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.json: not valid JSON/);
    expect(r.stderr).toMatch(/wrong\.json: "input" is malformed: packet: 1 bytes is shorter than an IPv4 header/);
    expect(readdirSync(dir).sort()).toEqual(["broken.json", "wrong.json"]);
  });

  it("rejects bad arguments with exit 2 and one line", () => {
    const cwd = workdir();
    for (const [args, message] of [
      [["run", "--runs", "abc"], /--runs must be a whole number/],
      [["run", "--iut", "nosuch"], /unknown IUT "nosuch"/],
      [["adapter", "linux", "--mutant", "x"], /adapter linux takes no --mutant/],
      [["run", "--area", "nosuch"], /unknown area "nosuch"/],
      [["run", "--profile", "checksum=nope"], /checksum has no profile "nope"/],
      [["run", "--time-budget", "soon"], /is not a duration/],
      [["run", "--bogus"], /Unknown option '--bogus'/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [["replay", "missing.json"], /missing\.json: cannot read/],
    ] as const) {
      const r = nfconform([...args], cwd);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it("says so when an area of the protocol has no properties yet", () => {
    const planned: string[] = JSON.parse(nfconform(["list", "--json"], workdir()).stdout).plannedAreas;
    for (const area of planned) {
      const r = nfconform(["run", "--iut", "model", "--area", area], workdir());
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/has no properties in this version yet/);
    }
  });

  it("reports an adapter that crashes as iut-error, apart from violations", () => {
    const cwd = workdir();
    const r = nfconform(
      ["run", "--iut", `cmd:${FAKE} crash`, "--area", "checksum", "--out", "out", "--corpus", "none"],
      cwd,
    );
    expect(r.code).toBe(2);
    const report = JSON.parse(readFileSync(join(cwd, "out/report.json"), "utf8"));
    const errors = report.properties.filter((p: { status: string }) => p.status === "iut-error");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].iutError.message).toMatch(/exited with status 3/);
    expect(errors[0].iutError.evidence).toMatch(/boom: adapter fell over/);
    expect(readFileSync(join(cwd, "out/junit.xml"), "utf8")).toMatch(/<error message="[^"]*exited with status 3/);
  });

  it("says what it skipped when the adapter does not support an op", () => {
    const cwd = workdir();
    const r = nfconform(
      ["run", "--iut", `cmd:${FAKE} unsupported`, "--area", "checksum", "--out", "out", "--corpus", "none"],
      cwd,
    );
    expect(r.stderr).toMatch(/SKIPPED\s+checksum\.fill-matches-model .*unsupported: no checksum here/);
    expect(r.stderr).toMatch(/0 passed, 0 failed, 7 skipped/);
    // Nothing judged is no pass, unless asked for.
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nfconform: no property was judged \(7 skipped of 7\)/);
    const allowed = nfconform(
      [
        "run",
        "--iut",
        `cmd:${FAKE} unsupported`,
        "--area",
        "checksum",
        "--out",
        "o2",
        "--corpus",
        "none",
        "--allow-empty",
      ],
      cwd,
    );
    expect(allowed.code).toBe(0);
  });

  it("fails a run whose time budget is spent but says the budget cut it short", () => {
    const cwd = workdir();
    const r = nfconform(
      [
        "run",
        "--iut",
        "model",
        "--area",
        "checksum",
        "--runs",
        "100000000",
        "--time-budget",
        "1s",
        "--out",
        "out",
        "--corpus",
        "none",
      ],
      cwd,
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(cwd, "out/report.json"), "utf8"));
    expect(report.properties.every((p: { interrupted: boolean }) => p.interrupted)).toBe(true);
    expect(readFileSync(join(cwd, "out/summary.md"), "utf8")).toMatch(/time budget ran out/);
  });
});

describe("nfconform list", () => {
  it("lists areas, properties with sources, profiles, IUTs and mutants", () => {
    const r = nfconform(["list"], workdir());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/property checksum\.checkentry-errno/);
    expect(r.stdout).toMatch(/source: net\/netfilter\/x_tables\.c xt_check_target\(\)/);
    expect(r.stdout).toMatch(/profile linux-2\.6\.35/);
    expect(r.stdout).toMatch(/mutant:<name>/);
    expect(r.stdout).toMatch(/checksum-carry-folded-once/);
    const json = JSON.parse(nfconform(["list", "--json"], workdir()).stdout);
    expect(json.plannedAreas).not.toContain("checksum");
    expect(json.areas.map((a: { area: string }) => a.area)).toContain("checksum");
  });
});
