// The bpf area on the running kernel: a conforming run, and cross-checks with
// independent tools inside a namespace of its own (test/fixtures/bpf-cross-check.mjs).
import { chmodSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { wrapInNamespace } from "../../sys/namespace.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");

describe("--iut linux, bpf area", () => {
  it("conforms: socket filters and the xt_bpf match agree with the model", () => {
    const out = tempDir("nfconform-bpf-");
    chmodSync(out, 0o777);
    const r = spawnSync(
      BIN,
      // bpf cases take milliseconds: two adapters judge them (the default 24 would cost more to start than they save).
      [
        "run",
        "--iut",
        "linux",
        "--area",
        "bpf",
        "--seed",
        "1",
        "--runs",
        "200",
        "--jobs",
        "2",
        "--out",
        out,
        "--corpus",
        "none",
      ],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.summary).toMatchObject({ passed: 6, failed: 0, iutError: 0 });
  }, 180_000); // a default kernel run (several adapters to start), slower beside CI's other test workers

  it("agrees with tcpdump -ddd programs, iptables-nft -m bpf and the measured ancillary loads", () => {
    const argv = wrapInNamespace([process.execPath, join(ROOT, "test/fixtures/bpf-cross-check.mjs")]);
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    for (const t of result.tcpdump) {
      expect(t.errno, t.expression).toBe(t.modelErrno);
      expect(t.agree, t.expression).toBe(true);
    }
    expect(result.tcpdump.some((t: { matched: number }) => t.matched > 0)).toBe(true);
    for (const t of result.iptables) {
      expect(t.ours, t.text).toBe(t.model);
      expect(t.iptablesStatus === 0, t.text).toBe(t.model === 0);
    }
    expect(result.xtProto6.agree).toBe(true);
    expect(result.xtProto6.tcp).toBeGreaterThan(0);
    // A = 77 before the load: IFINDEX and HATYPE end the program returning A; the rest read 0 on AF_UNIX.
    expect(result.measured["ancillary+8"]).toBe(77);
    expect(result.measured["ancillary+28"]).toBe(77);
    for (const off of [0, 4, 20, 24, 32, 44, 48, 52, 60]) expect(result.measured[`ancillary+${off}`]).toBe(0);
  });
});
