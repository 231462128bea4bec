// The npm package as `npm pack` would make it (issue 19 item 3): compiled
// code, the bin and the docs, nothing of the checkout's sources, tests or
// benchmarks; every package the compiled code imports is a runtime
// dependency. The full pack, install into a fresh prefix and run from an
// empty directory is scripts/pack-check.sh (`npm run pack-check`, ~2 min
// with the build; `.ci/run` runs it with --prebuilt, ~25 s): too slow here.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

/** The files `npm pack` would put in the tarball of the current build (scripts skipped: dist/ as it is). */
function packedFiles(): string[] {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".js"))
    .map((e) => join(e.parentPath, e.name));
}

describe("the npm package", () => {
  it("holds the bin, the compiled CLI and the docs, and no sources, tests, benchmarks or source maps", () => {
    const files = packedFiles();
    for (const needed of [pkg.bin.nfconform!, "dist/cli/main.js", "README.md", "docs/adapter-protocol.md"])
      expect(files).toContain(needed);
    expect(files.filter((f) => /\.ts$|\.map$|^(test|bench|dist\/bench|scripts|corpus|model|cli)\//.test(f))).toEqual(
      [],
    );
  }, 30_000);

  it("builds dist/ afresh when packed, so a tarball never ships a stale or missing build", () => {
    expect(pkg.scripts.prepack).toMatch(/clean.*build/);
    expect(pkg.files).toContain("dist/");
  });

  it("declares every package the compiled code imports as a runtime dependency", () => {
    const bare = new Set<string>();
    for (const file of jsFiles(join(ROOT, "dist")).filter((f) => !f.includes("/dist/bench/"))) {
      const text = readFileSync(file, "utf8");
      // Static imports and re-exports start a line; dynamic ones name a string literal.
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"./][^"]*)"|\bimport\("([^"./][^"]*)"\)/gm))
        bare.add((m[1] ?? m[2])!);
    }
    const packages = [...bare]
      .filter((s) => !s.startsWith("node:") && !builtinModules.includes(s))
      .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!));
    expect(packages.length).toBeGreaterThan(0);
    for (const p of new Set(packages)) expect(Object.keys(pkg.dependencies), p).toContain(p);
  });
});
