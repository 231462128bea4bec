// adapters/dpdk: keeps the adapter protocol, judges cases in each area it
// claims without harness errors, and still shows every finding its README
// lists (each saved case replays as a violation). Seconds, not a full run.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, adapterIut, findingCases, nfconform, notRunnable } from "./adapter-runs.js";

const skip = notRunnable("dpdk", "nfconform-dpdk");
const IUT = adapterIut("dpdk");

describe.skipIf(skip !== undefined)(`adapters/dpdk${skip ? ` (skipped: ${skip})` : ""}`, () => {
  it("keeps the contract on every op (adapter-check)", async () => {
    const r = await nfconform("adapter-check", "--iut", IUT);
    expect(r.stdout).toContain("all 11 ops keep the contract");
    expect(r.code).toBe(0);
  });

  it("passes the properties it meets, judging cases in frag6 and checksum", async () => {
    const r = await nfconform(
      ...[
        "run",
        "--iut",
        IUT,
        "--seed",
        "1543570559",
        "--runs",
        "20",
        "--corpus",
        "none",
        "--out",
        "/tmp/nfc-dpdk-test",
      ],
      ...["--property", "checksum.untouched-unless-partial", "--property", "checksum.second-fill-changes-nothing"],
      ...["--property", "frag6.no-hole-delivered"],
    );
    expect(r.stdout + r.stderr).toContain("3 passed, 0 failed, 0 skipped, 0 iut-error");
    expect(r.code).toBe(0);
  });

  it("never reassembles a datagram of nine fragments (README F3)", () => {
    const reply = execFileSync(join(ROOT, "adapters/dpdk/run"), {
      input: readFileSync(join(ROOT, "adapters/dpdk/findings/nine-fragments.jsonl")),
      encoding: "utf8",
    });
    expect(JSON.parse(reply)).toEqual({ id: 1, delivered: [] });
  });

  it("its JIT still dies on jset #k (README J1)", () => {
    const r = spawnSync(join(ROOT, "adapters/dpdk/run"), ["--jit"], {
      input: readFileSync(join(ROOT, "adapters/dpdk/findings/jit-jset.jsonl")),
    });
    expect(["SIGSEGV", "SIGILL"]).toContain(r.signal ?? `exit ${r.status}`);
  });

  const cases = findingCases("dpdk");
  it("has saved cases for its findings", () => expect(cases.length).toBeGreaterThanOrEqual(10));
  it.concurrent.each(cases.map((c) => [basename(c), c]))("finding %s still replays as a violation", async (_, file) => {
    const r = await nfconform("replay", file, "--iut", IUT);
    expect(r.stdout).toContain("VIOLATION");
    expect(r.code).toBe(1);
  });
});
