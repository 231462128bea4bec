// Shared by the tests of shipped adapters (adapters/<name>/): whether one is
// built, and the CLI run against it. An adapter that is not built is skipped
// with the reason; CI builds them (scripts/setup-adapters).
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

export const ROOT = resolve(__dirname, "../..");
const BIN = join(ROOT, "bin/nfconform");

/** The --iut spec of a shipped adapter. */
export function adapterIut(name: string): string {
  return `cmd:${join(ROOT, "adapters", name, "run")}`;
}

/** Why the adapter cannot run here, or undefined when it can. */
export function notRunnable(name: string, binary: string): string | undefined {
  if (!existsSync(join(ROOT, "adapters", name, "out", binary)))
    return `adapters/${name} is not built (scripts/setup-adapters ${name})`;
  if (process.getuid?.() !== 0) return `adapters/${name} needs root`;
  return undefined;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function nfconform(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(BIN, args, { encoding: "utf8", maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The saved cases of an adapter's README findings (adapters/<name>/findings/*.json). */
export function findingCases(name: string): string[] {
  const dir = join(ROOT, "adapters", name, "findings");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => join(dir, f));
}
