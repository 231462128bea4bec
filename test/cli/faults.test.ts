// Fault injection, as a CI owner meets it: adapters that hang, flood or speak
// another protocol, folders that cannot be written, signals. Each run must end
// within its timeout plus a few seconds, with the right exit code, one line
// saying why, a report on disk where a run started, and no process left behind.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");
const FAKE = `node ${join(ROOT, "test/fixtures/fake-adapter.mjs")}`;

function nfconform(args: string[], cwd: string, options: { asNobody?: boolean } = {}) {
  const [command, argv] = options.asNobody
    ? ["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", BIN, ...args]]
    : [BIN, args];
  const started = Date.now();
  const r = spawnSync(command as string, argv as string[], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

const workdir = () => tempDir("nfconform-faults-");
const report = (dir: string) => JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));

/** A unique number to put on a command line, to find its processes with ps. */
const token = () => `${1000 + Math.floor(Math.random() * 1000)}.${Math.floor(Math.random() * 1e6)}`;

/** Live processes whose command line holds the token. */
function processesWith(t: string): string[] {
  const ps = spawnSync("ps", ["-eo", "pid,stat,args"], { encoding: "utf8" }).stdout;
  return ps.split("\n").filter((l) => l.includes(t) && !/^\s*\d+\s+Z/.test(l));
}

/** The stderr lines that start with `nfconform:`, the one-line reasons. */
const reasons = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("nfconform:"));

describe("bad output folders are refused before anything runs", () => {
  const cases: [string, (cwd: string) => string[], RegExp][] = [
    ["--out /dev/null", () => ["--out", "/dev/null"], /--out "\/dev\/null": is under \/dev/],
    ["--out a file", (cwd) => (writeFileSync(join(cwd, "f"), ""), ["--out", "f"]), /exists and is not a folder/],
    ["--out /proc/sys/net", () => ["--out", "/proc/sys/net"], /is under \/proc/],
    ["--out /proc/self/x", () => ["--out", "/proc/self/x"], /is under \/proc/],
    ['--out ""', () => ["--out", ""], /--out "" names no folder/],
    ["--corpus a file", (cwd) => (writeFileSync(join(cwd, "f"), ""), ["--corpus", "f"]), /--corpus .*not a folder/],
  ];
  for (const [name, args, message] of cases) {
    it(`run ${name}`, () => {
      const cwd = workdir();
      const t = token();
      const r = nfconform(["run", "--iut", `cmd:sleep ${t}`, "--area", "checksum", ...args(cwd)], cwd);
      expect(r.code, r.stderr).toBe(2);
      expect(reasons(r.stderr)).toEqual([expect.stringMatching(message)]);
      expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1); // nothing ran: no adapter, no progress
      expect(processesWith(t)).toEqual([]);
    });
  }

  it("a read-only folder, for run, fuzz, matrix, report merge and corpus minimize", () => {
    const cwd = workdir();
    const ro = join(cwd, "ro");
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    chmodSync(cwd, 0o755);
    // Root writes anywhere: the unwritable folder is tested as nobody then.
    const asNobody = process.getuid?.() === 0;
    expect(
      nfconform(["run", "--iut", "model", "--area", "checksum", "--runs", "3", "--out", "r", "--corpus", "none"], cwd)
        .code,
    ).toBe(0);
    for (const args of [
      ["run", "--iut", "model", "--area", "checksum", "--out", ro],
      ["run", "--iut", "model", "--area", "checksum", "--out", join(ro, "sub")],
      ["run", "--iut", "model", "--area", "checksum", "--out", join(cwd, "o"), "--corpus", ro],
      ["fuzz", "--iut", "model", "--time", "1s", "--out", ro],
      ["matrix", "--iut", "model", "--iut", "model", "--out", ro],
      ["report", "merge", "r", "--out", ro],
      ["corpus", "minimize", "--corpus", ro],
    ]) {
      const r = nfconform(args, cwd, { asNobody });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(reasons(r.stderr), args.join(" ")).toEqual([expect.stringMatching(/cannot (write in|create) the folder/)]);
    }
  });
});

describe("replay takes a case, not whatever a path names", () => {
  it("refuses a FIFO, /dev/zero and an oversized file at once, and replays a case without its pcap", () => {
    const cwd = workdir();
    spawnSync("mkfifo", [join(cwd, "fifo.json")]);
    writeFileSync(join(cwd, "big.json"), Buffer.alloc(17 * 1024 * 1024, 0x20));
    for (const [file, message] of [
      ["fifo.json", /fifo\.json: cannot read: not a regular file/],
      ["/dev/zero", /\/dev\/zero: cannot read: not a regular file/],
      ["big.json", /big\.json: cannot read: \d+ bytes, more than a case file's 16777216/],
    ] as const) {
      const r = nfconform(["replay", file, "--iut", "model"], cwd);
      expect(r.code, file).toBe(2);
      expect(reasons(r.stderr)).toEqual([expect.stringMatching(message)]);
      expect(r.ms).toBeLessThan(10_000);
    }
    const found = nfconform(
      ["run", "--iut", "mutant:checksum-odd-byte-dropped", "--area", "checksum", "--seed", "3", "--out", "out"],
      cwd,
    );
    expect(found.code).toBe(1);
    const violation = report(join(cwd, "out")).properties.find((p: { violation?: unknown }) => p.violation).violation;
    expect(existsSync(violation.pcapFile)).toBe(true);
    spawnSync("rm", [violation.pcapFile]);
    const replay = nfconform(["replay", violation.caseFile, "--iut", "mutant:checksum-odd-byte-dropped"], cwd);
    expect(replay.code, replay.stderr).toBe(1);
    expect(replay.stdout).toMatch(/verdict: {2}VIOLATION/);
  });
});

describe("options that would run nothing, or wrongly, are usage errors", () => {
  it("--path, --timeout, --time-budget, --area , and corpus check on a missing folder", () => {
    const cwd = workdir();
    for (const [args, message] of [
      [["run", "--iut", "model", "--path", "abc"], /--path must be fast-check's replay path/],
      [["run", "--iut", "model", "--timeout", "0"], /--timeout must be more than 0/],
      [["run", "--iut", "model", "--timeout", "600h"], /--timeout must be at most 2147483647 ms/],
      [["run", "--iut", "model", "--time-budget", "0"], /--time-budget must be more than 0/],
      [["run", "--iut", "model", "--area", ","], /--area names no area/],
      [["corpus", "check", "--iut", "model", "--corpus", "/nonexistent"], /--corpus "\/nonexistent": no such folder/],
    ] as const) {
      const r = nfconform([...args], cwd);
      expect(r.code, args.join(" ")).toBe(2);
      expect(reasons(r.stderr), args.join(" ")).toEqual([expect.stringMatching(message)]);
    }
  });

  it("an adapter whose hello lists no areas judges nothing: exit 2 unless --allow-empty", () => {
    const cwd = workdir();
    const args = ["run", "--iut", `cmd:${FAKE} no-areas`, "--area", "checksum", "--out", "out", "--corpus", "none"];
    const r = nfconform(args, cwd);
    expect(r.code).toBe(2);
    expect(reasons(r.stderr)).toEqual([expect.stringMatching(/no property was judged \(7 skipped of 7\)/)]);
    expect(report(join(cwd, "out")).summary.skipped).toBe(7);
    expect(nfconform([...args, "--allow-empty"], cwd).code).toBe(0);
  });

  it("an empty corpus judges nothing: exit 2 unless --allow-empty", () => {
    const cwd = workdir();
    mkdirSync(join(cwd, "corpus"));
    const r = nfconform(["corpus", "check", "--iut", "model"], cwd);
    expect(r.code).toBe(2);
    expect(reasons(r.stderr)).toEqual([expect.stringMatching(/judged no case/)]);
    expect(nfconform(["corpus", "check", "--iut", "model", "--allow-empty"], cwd).code).toBe(0);
  });

  it("matrix keeps its examples out of ./corpus unless --corpus names one", () => {
    const cwd = workdir();
    const r = nfconform(
      ["matrix", "--iut", "model", "--iut", "mutant:checksum-odd-byte-dropped", "--area", "checksum", "--runs", "30"],
      cwd,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, "corpus"))).toBe(false);
    expect(nfconform(["help"], cwd).stdout).toMatch(/matrix .*\[--corpus DIR\]/);
  });
});

describe("faulty adapters end the run in bounded time, with a report and nothing left behind", () => {
  // One property, so one fault ends the run; 4 s leaves a loaded CI machine time to start node (a fake adapter's
  // hello once took over 1.5 s in CI).
  const run = (iut: string, cwd: string) =>
    nfconform(
      [
        ...["run", "--iut", iut, "--area", "checksum", "--property", "fill-matches-model"],
        ...["--timeout", "4s", "--runs", "5", "--out", "out", "--corpus", "none"],
      ],
      cwd,
    );
  const cases: [string, (t: string) => string, RegExp][] = [
    ["hangs on hello", (t) => `cmd:sleep ${t}`, /failed to start: adapter timed out on hello after 4000 ms/],
    [
      "hangs on hello with a grandchild holding its pipes",
      (t) => `cmd:sleep ${t} & sleep ${t}`,
      /failed to start: adapter timed out on hello/,
    ],
    ["hangs on one op", (t) => `cmd:${FAKE} hang ${t}`, /timed out on checksum\.fill after 4000 ms/],
    ["closes stdout and stays alive", (t) => `cmd:${FAKE} close-stdout ${t}`, /timed out on hello/],
    ["floods a line with no newline", (t) => `cmd:${FAKE} flood ${t}`, /line longer than 16777216 bytes/],
    ["speaks protocol 2", (t) => `cmd:${FAKE} wrong-protocol ${t}`, /speaks protocol 2, this suite speaks 1/],
  ];
  for (const [name, iut, message] of cases) {
    it(name, () => {
      const cwd = workdir();
      const t = token();
      const r = run(iut(t), cwd);
      expect(r.code, r.stderr).toBe(2);
      expect(reasons(r.stderr)).toEqual([expect.stringMatching(message)]);
      expect(r.ms).toBeLessThan(15_000);
      const written = report(join(cwd, "out"));
      expect(written.summary).toMatchObject({ iutError: 1, total: 1 });
      expect(processesWith(t)).toEqual([]);
    });
  }
});

describe("a signal stops a run with the report of what it found", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal}: exit ${code}, the judged properties and the rest marked not run, the adapter gone`, async () => {
      const cwd = workdir();
      const t = token();
      const child = spawn(
        BIN,
        ["run", "--iut", `cmd:${FAKE} slow ${t}`, "--area", "checksum", "--out", "out", "--corpus", "none"],
        { cwd, stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // Once the first property is judged, stop the run.
      await new Promise<void>((done) => {
        const timer = setInterval(() => {
          if (/^PASSED/m.test(stderr)) {
            clearInterval(timer);
            child.kill(signal);
            done();
          }
        }, 50);
      });
      const exit = await new Promise<number | null>((done) => child.on("exit", done));
      expect(exit, stderr).toBe(code);
      expect(stderr).toMatch(new RegExp(`${signal}: stopping after the current case`));
      const written = report(join(cwd, "out"));
      expect(written.properties).toHaveLength(7);
      expect(written.summary.passed).toBeGreaterThan(0);
      expect(written.properties.some((p: { skipReason?: string }) => /interrupted/.test(p.skipReason ?? ""))).toBe(
        true,
      );
      expect(processesWith(t)).toEqual([]);
    }, 60_000);
  }
});

describe("an adapter dies with nfconform, even on SIGKILL", () => {
  it("SIGKILL mid-run: the adapter's whole process group (a grandchild too) is gone within seconds", async () => {
    const cwd = workdir();
    const t = token();
    // `sleep` does not read stdin: only a kill of its group ends it.
    const iut = `cmd:sleep ${t} & ${FAKE} slow ${t}`;
    const child = spawn(BIN, ["run", "--iut", iut, "--area", "checksum", "--out", "out", "--corpus", "none"], {
      cwd,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((done) => child.on("exit", () => done()));
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        if (/cases, 0 violations so far/.test(stderr)) {
          clearInterval(timer);
          done();
        }
      }, 50);
    });
    expect(processesWith(t).filter((l) => l.includes(`sleep ${t}`)).length).toBeGreaterThan(0);
    child.kill("SIGKILL");
    await exited;
    const killed = Date.now();
    while (processesWith(t).length > 0 && Date.now() - killed < 5000) await new Promise((r) => setTimeout(r, 100));
    expect(processesWith(t)).toEqual([]);
  }, 60_000);
});

describe("a signal stops a run of 100000000 cases at once", () => {
  it("SIGINT mid-property: exit 130 within seconds, the property interrupted with what it judged", async () => {
    const cwd = workdir();
    const child = spawn(
      BIN,
      ["run", "--iut", "model", "--area", "checksum", "--runs", "100000000", "--out", "out", "--corpus", "none"],
      { cwd, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((done) => child.on("exit", done));
    // Once a few cases are judged, stop the run.
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        if (/fill-matches-model \[linux\]: \d{2,}\/100000000 cases/.test(stderr)) {
          clearInterval(timer);
          done();
        }
      }, 50);
    });
    const signalled = Date.now();
    child.kill("SIGINT");
    expect(await exited, stderr).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(5000);
    const [first] = report(join(cwd, "out")).properties;
    expect(first).toMatchObject({ id: "checksum.fill-matches-model", interrupted: true, status: "passed" });
    expect(first.judged).toBeGreaterThan(0);
  }, 60_000);
});

describe("a case the corpus cannot take", () => {
  it("keeps the violation in the reports, says why it was not saved, and replays it by rerun", () => {
    const cwd = workdir();
    const dir = join(cwd, "corpus/checksum");
    mkdirSync(dir, { recursive: true });
    // A file where the property's case folder must go: the corpus is writable, that folder is not.
    for (const name of ["fill-matches-model", "incremental-update-equals-fill", "checkentry-errno"])
      writeFileSync(join(dir, name), "");
    const r = nfconform(
      ["run", "--iut", "mutant:checksum-odd-byte-dropped", "--area", "checksum", "--seed", "3", "--out", "out"],
      cwd,
    );
    // The violation is the finding: exit 1, every property run, nothing lost.
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^ {2}not saved: cannot save a case in .*fill-matches-model: /m);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const written = report(join(cwd, "out"));
    expect(written.properties).toHaveLength(7);
    const [v] = written.properties[0].violations;
    expect(v.saveError).toMatch(/^cannot save a case in .*fill-matches-model/);
    expect(v.caseFile).toBeUndefined();
    expect(v.replay).toMatch(
      /^nfconform run .*--property checksum\.fill-matches-model --seed 3 --runs 100 --path \S+$/,
    );
    expect(readFileSync(join(cwd, "out/summary.md"), "utf8")).toContain(`Not saved in the corpus: ${v.saveError}`);
    expect(readFileSync(join(cwd, "out/junit.xml"), "utf8")).toContain("not saved: cannot save a case in");
    // The rerun reproduces it.
    const rerun = spawnSync("/bin/sh", ["-c", v.replay.replace(/^nfconform /, `${BIN} `)], {
      cwd,
      encoding: "utf8",
    });
    expect(rerun.status, rerun.stderr).toBe(1);
    expect(rerun.stderr).toContain(`violation in checksum.fill-matches-model: ${v.message}`);
  });
});
