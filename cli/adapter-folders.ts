// The shipped adapters: one folder per real implementation under adapters/
// (adapters/README.md is the convention). `--iut <name>` runs the folder's
// `run`; a folder is built once `scripts/setup-adapters <name>` made its out/
// (the build script is named `build`, so its output cannot be).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface AdapterFolder {
  name: string;
  dir: string;
  /** The README's title line, without its `#`. */
  summary: string;
  built: boolean;
  /** The executable that speaks the protocol on stdin/stdout. */
  run: string;
}

/** adapters/ of the checkout this module runs from (compiled under dist/ or dist/bundle/, or not); NFCONFORM_ADAPTERS overrides it (tests). */
export function adaptersRoot(): string {
  if (process.env.NFCONFORM_ADAPTERS) return process.env.NFCONFORM_ADAPTERS;
  const here = dirname(fileURLToPath(import.meta.url));
  const checkout = basename(dirname(here)) === "dist" ? join(here, "..", "..") : join(here, "..");
  return join(checkout, "adapters");
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function summaryOf(dir: string): string {
  try {
    const title = readFileSync(join(dir, "README.md"), "utf8").split("\n")[0] ?? "";
    return title.replace(/^#+\s*/, "").trim();
  } catch {
    return "(no README.md)";
  }
}

/** Every folder of adapters/ with a `run` script, by name. */
export function adapterFolders(root = adaptersRoot()): AdapterFolder[] {
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    return [];
  }
  return names
    .filter((name) => NAME.test(name) && isFile(join(root, name, "run")))
    .map((name) => {
      const dir = join(root, name);
      return { name, dir, summary: summaryOf(dir), built: existsSync(join(dir, "out")), run: join(dir, "run") };
    });
}

export function findAdapterFolder(name: string, root = adaptersRoot()): AdapterFolder | undefined {
  return adapterFolders(root).find((a) => a.name === name);
}
