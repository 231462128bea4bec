// `--iut <name>` resolves to adapters/<name>/run: a folder not built is a
// one-line error naming scripts/setup-adapters <name>, an unknown name one
// listing the choices, a built one an adapter client named by the folder.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adapterFolders } from "../../cli/adapter-folders.js";
import { listCommand } from "../../cli/list-command.js";
import { resolveIut } from "../../cli/resolve-iut.js";
import { tempDirs } from "../temp-dirs.js";

const tempDir = tempDirs();

let root: string;

/** adapters/<name>/ with a README title and a `run` that answers hello (an `out/` when built). */
function folder(name: string, built: boolean): void {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "README.md"), `# ${name}: a test stack\n`);
  const hello = { name, version: "1", areas: ["bpf"], profiles: {} };
  const script = [
    "#!/usr/bin/env node",
    `require("node:readline").createInterface({ input: process.stdin }).on("line", (l) =>`,
    `  process.stdout.write(JSON.stringify({ id: JSON.parse(l).id, ...${JSON.stringify(hello)} }) + "\\n"));`,
  ].join("\n");
  writeFileSync(join(dir, "run"), script);
  chmodSync(join(dir, "run"), 0o755);
  if (built) mkdirSync(join(dir, "out"));
}

beforeEach(() => {
  root = tempDir("nfconform-adapters-");
  process.env.NFCONFORM_ADAPTERS = root;
});
afterEach(() => {
  delete process.env.NFCONFORM_ADAPTERS;
});

describe("adapter folders as --iut names", () => {
  it("lists folders with a run script, their README title and whether they are built", () => {
    folder("stack-a", true);
    folder("stack-b", false);
    mkdirSync(join(root, "not-an-adapter"));
    expect(adapterFolders().map(({ name, summary, built }) => ({ name, summary, built }))).toEqual([
      { name: "stack-a", summary: "stack-a: a test stack", built: true },
      { name: "stack-b", summary: "stack-b: a test stack", built: false },
    ]);
  });

  it("nfconform list shows them, saying which are not built", () => {
    folder("stack-a", true);
    folder("stack-b", false);
    const lines: string[] = [];
    listCommand([], { stdout: (line) => lines.push(line) });
    expect(lines).toContain("  stack-a: stack-a: a test stack");
    expect(lines).toContain("  stack-b (not built): stack-b: a test stack");
  });

  it("refuses a folder not built, naming scripts/setup-adapters with it, in one line", () => {
    folder("stack-b", false);
    expect(() => resolveIut("stack-b", { profiles: {} })).toThrow(
      /^--iut stack-b: the adapter is not built; run scripts\/setup-adapters stack-b \(as root\)$/,
    );
  });

  it("names the choices, adapters included, for a name that is neither built in nor a folder", () => {
    folder("stack-a", true);
    expect(() => resolveIut("nosuch", { profiles: {} })).toThrow(
      /^unknown IUT "nosuch" \(use model, linux, linux-nfct, linux@<version>, stack-a, cmd:/,
    );
  });

  it("runs a built folder's run script, named by the folder", async () => {
    folder("stack-a", true);
    const iut = resolveIut("stack-a", { profiles: {}, timeoutMs: 5000 });
    try {
      expect(iut.spec).toBe("stack-a");
      expect((await iut.hello()).name).toBe("stack-a");
    } finally {
      await iut.close();
    }
  });
});
