// The folders a command writes to (--out, --corpus) are made and proven
// writable before the first case runs: a run must never do its work and then
// lose it to a folder it cannot write. Every refusal is one UsageError line.
import { existsSync, mkdirSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "./usage-error.js";

/** Kernel and device trees: never a place for reports or cases, whatever a write test says. */
const SYSTEM_TREES = ["/proc", "/sys", "/dev"];

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The real path of `path`, through its nearest existing ancestor (symlinks resolved). */
function realTarget(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    return join(realpathSync(existing), path.slice(existing.length));
  } catch {
    return path;
  }
}

/** `--out ""` would silently mean the working directory: refused, like every empty path option. */
export function pathOption(option: string, value: string | undefined): string | undefined {
  if (value !== undefined && value.trim() === "") throw new UsageError(`--${option} "" names no folder`);
  return value;
}

/**
 * Makes the folder (with its parents) and writes and removes a probe file in
 * it. With `keep: false` a folder this call made is removed again, so a clean
 * run leaves no empty corpus behind. Returns the absolute path.
 */
export function prepareOutputDir(option: string, path: string, options: { keep: boolean }): string {
  const where = `--${option} ${JSON.stringify(path)}`;
  pathOption(option, path);
  const absolute = resolve(path);
  const real = realTarget(absolute);
  const tree = SYSTEM_TREES.find((t) => real === t || real.startsWith(`${t}/`));
  if (tree) throw new UsageError(`${where}: is under ${tree}, not a folder to write to`);
  if (existsSync(absolute) && !statSync(absolute).isDirectory())
    throw new UsageError(`${where}: exists and is not a folder`);
  let created: string | undefined;
  try {
    created = mkdirSync(absolute, { recursive: true });
  } catch (error) {
    throw new UsageError(`${where}: cannot create the folder (${reason(error)})`);
  }
  const probe = join(absolute, `.nfconform-write-test-${process.pid}`);
  try {
    writeFileSync(probe, "probe\n");
    unlinkSync(probe);
  } catch (error) {
    throw new UsageError(`${where}: cannot write in the folder (${reason(error)})`);
  } finally {
    if (created && !options.keep) rmSync(created, { recursive: true, force: true });
  }
  return absolute;
}
