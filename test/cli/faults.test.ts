// Fault injection, as a CI owner meets it: adapters that hang, flood or speak
// another protocol, folders that cannot be written, signals. Each run must end
// within its timeout plus a few seconds, with the right exit code, one line
// saying why, a report on disk where a run started, and no process left behind.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

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

const workdir = () => mkdtempSync(join(tmpdir(), "nfconform-faults-"));
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
