// The tool's version has one home, package.json: the CLI, the reports and the
// model IUT's hello all say it (sys/tool-version.ts reads it once).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ModelIut } from "../../iut/model/model-iut.js";
import { TOOL_VERSION } from "../../sys/tool-version.js";

const ROOT = resolve(__dirname, "../..");
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

describe("the tool version", () => {
  it("is package.json's, read from the sources", () => {
    expect(TOOL_VERSION).toBe(PACKAGE_VERSION);
  });

  it("is what the built CLI prints and the model IUT says in its hello", async () => {
    const r = spawnSync(join(ROOT, "bin/nfconform"), ["--version"], { encoding: "utf8" });
    expect(r.stdout.trim()).toBe(PACKAGE_VERSION);
    expect((await new ModelIut().hello()).version).toBe(PACKAGE_VERSION);
  });
});
