// The tool's version. Its one home is package.json's "version" (what npm
// sees); it is read once here so the CLI, the reports and the model IUT's
// hello cannot drift from it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

function readToolVersion(): string {
  // This file runs from sys/ (tests), dist/sys/ or a chunk of dist/bundle/ (the CLI): package.json is one or two levels up.
  for (const up of ["../package.json", "../../package.json"]) {
    const path = fileURLToPath(new URL(up, import.meta.url));
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      continue;
    }
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (pkg.name !== "nfconform") continue;
    if (typeof pkg.version !== "string") throw new Error(`${path}: "version" must be a string`);
    return pkg.version;
  }
  throw new Error(`nfconform's package.json not found above ${fileURLToPath(import.meta.url)}`);
}

export const TOOL_VERSION: string = readToolVersion();
