// What a command loads at start: every process pays for every module it loads
// (the suite starts hundreds, a kernel run one adapter per --jobs instance), so
// a command loads what it runs and no more (bench/start.md). A static import
// of every command in main.ts made `--version` load the whole tool.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../temp-dirs.js";

const ROOT = resolve(__dirname, "../..");
const tempDir = tempDirs();

/**
 * Runs the compiled CLI (unbundled: bin/nfconform runs the bundle, whose chunks
 * are cut at the same dynamic imports) with `args`; its exit code and the
 * modules it loaded, as paths below the checkout.
 */
function loaded(...args: string[]): { code: number | null; stderr: string; modules: string[] } {
  return loadedBy("dist/cli/main.js", args);
}

function loadedBy(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; stderr: string; modules: string[] } {
  const out = join(tempDir("nfconform-start-"), "modules.txt");
  const r = spawnSync(
    process.execPath,
    ["--import", join(ROOT, "test/fixtures/loaded-modules.mjs"), join(ROOT, script), ...args],
    { encoding: "utf8", env: { ...process.env, ...env, NFCONFORM_LOADED_MODULES: out }, timeout: 60_000 },
  );
  const urls = readFileSync(out, "utf8").split("\n").filter(Boolean);
  return { code: r.status, stderr: r.stderr, modules: urls.map((u) => u.replace(`file://${ROOT}/`, "")) };
}

/**
 * The heavy parts that neither --version nor the process starting a kernel
 * adapter needs: the schemas' library (typebox: 537 modules), fast-check, the
 * properties, the protocol's ops, the model IUT and the mutants. (A few model
 * facts, such as bpf's attach points, are the CLI's to read.)
 */
function heavy(modules: string[]): string[] {
  return modules.filter((m) =>
    /(^|\/)node_modules\/(typebox|fast-check)\/|^dist\/(properties|iut\/(ops|model|mutants))\//.test(m),
  );
}

describe("what a command loads at start", () => {
  it("--version, help and an unknown command load none of the tool's heavy parts", () => {
    for (const args of [["--version"], ["help"], ["no-such-command"]]) {
      const { code, modules } = loaded(...args);
      expect(code, args.join(" ")).toBe(args[0] === "no-such-command" ? 2 : 0);
      expect(heavy(modules), args.join(" ")).toEqual([]);
    }
  });

  it("`adapter` parses its options without the model, the mutants, the properties or the schemas", () => {
    const { code, stderr, modules } = loaded("adapter", "no-such-kind");
    expect(code).toBe(2);
    expect(stderr).toMatch(/^nfconform: adapter needs a kind/);
    expect(modules).toContain("dist/cli/adapter-command.js");
    expect(heavy(modules)).toEqual([]);
  });

  it("bin/nfconform runs the bundle, whose main chunk alone answers --version; NFCONFORM_UNBUNDLED=1 runs dist/cli", () => {
    const ours = (modules: string[]) => modules.filter((m) => m.startsWith("dist/"));
    const bundled = loadedBy("bin/nfconform", ["--version"]);
    expect(bundled.code).toBe(0);
    expect(ours(bundled.modules)).toEqual(["dist/bundle/main.js"]);
    const plain = loadedBy("bin/nfconform", ["--version"], { NFCONFORM_UNBUNDLED: "1" });
    expect(plain.code).toBe(0);
    expect(ours(plain.modules)).toContain("dist/cli/main.js");
    expect(ours(plain.modules).some((m) => m.startsWith("dist/bundle/"))).toBe(false);
  });

  it("sees the heavy parts where a command does load them (the check above can fail)", () => {
    const { code, modules } = loaded("schema");
    expect(code).toBe(0);
    // node_modules is below the checkout in a clone (CI's) and a symlink out of it in a worktree: both match.
    expect(heavy(modules).some((m) => /(^|\/)node_modules\/typebox\//.test(m))).toBe(true);
  });
});
