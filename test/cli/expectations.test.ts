// `nfconform expectations check|update` over an adapters/ of one fake stack
// (NFCONFORM_ADAPTERS): update writes what the stack got; check passes on it,
// and fails naming stack, property and old -> new verdict when a verdict
// changes, either way (an edited file, a stack that broke); a list of
// verdicts allows any of them.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");
const PROPERTY = "checksum.filled-packet-verifies";

describe("nfconform expectations", () => {
  const root = tempDir("nfconform-expectations-");
  const stack = join(root, "fake");
  mkdirSync(join(stack, "out"), { recursive: true });
  writeFileSync(join(stack, "README.md"), "# fake: the model, or a crashing one\n");
  writeFileSync(
    join(stack, "run"),
    `#!/bin/sh\nexec node ${join(ROOT, "test/fixtures/fake-adapter.mjs")} "$(cat "$(dirname "$0")/mode")"\n`,
  );
  chmodSync(join(stack, "run"), 0o755);
  const file = join(root, "expectations.json");
  const env = { ...process.env, NFCONFORM_ADAPTERS: root, FAKE_AREAS: "checksum" };
  const nfconform = (args: string[], mode: string) => {
    writeFileSync(join(stack, "mode"), mode);
    const r = spawnSync(BIN, ["expectations", ...args], { env, encoding: "utf8" });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const edit = (verdict: unknown) => {
    const e = JSON.parse(readFileSync(file, "utf8"));
    e.stacks.fake[PROPERTY] = verdict;
    writeFileSync(file, JSON.stringify(e));
  };

  it("update writes every property of the claimed areas; check passes on it, and fails on an edited one", () => {
    const update = nfconform(["update", "--runs", "5", "--seed", "4"], "ok");
    expect(update.code, update.out).toBe(0);
    const e = JSON.parse(readFileSync(file, "utf8"));
    expect(e).toMatchObject({ format: "nfconform-expectations", seed: 4, runs: 5 });
    expect(e.stacks.fake[PROPERTY]).toBe("passed");
    expect(Object.keys(e.stacks.fake).every((id) => id.startsWith("checksum."))).toBe(true);
    edit("failed");
    const check = nfconform(["check"], "ok");
    expect(check.code, check.out).toBe(1);
    expect(check.out).toContain(`CHANGED   fake ${PROPERTY}: failed -> passed`);
    expect(check.out).toContain("1 verdicts changed");
    expect(check.out).toMatch(/expectations: 1 stacks at seed 4, 5 runs/);
  });

  it("check fails when the stack breaks (passed -> failed)", () => {
    edit("passed");
    const broken = nfconform(["check"], "crash-on-big");
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`CHANGED   fake ${PROPERTY}: passed -> failed`);
  });

  it("refuses an unknown stack with one line", () => {
    const unknown = nfconform(["check", "--stack", "nope"], "ok");
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("--stack nope: no adapter of that name (adapters: fake)");
  });
});
