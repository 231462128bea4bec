// Where `scripts/fetch-kernel <version>` leaves a Debian kernel for
// `--iut linux@<version>`, and the pinned versions it knows
// (scripts/kernel-packages, the one home of the package names).
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The pins file at the project root, found from this module in iut/vm/ (tests), dist/iut/vm/ or a chunk of dist/bundle/ (the CLI). */
export const PINS_FILE =
  ["../../scripts/kernel-packages", "../../../scripts/kernel-packages"]
    .map((up) => fileURLToPath(new URL(up, import.meta.url)))
    .find((path) => existsSync(path)) ?? "scripts/kernel-packages";

export interface CachedKernel {
  version: string;
  vmlinuz: string;
  initramfs: string;
  /** `uname -r` inside the VM, e.g. 6.12.118+deb12-amd64. */
  release: string;
  /** The Debian package it came from. */
  package: string;
}

/** Pinned versions and their packages, from the text of scripts/kernel-packages. */
export function parsePins(text: string): Map<string, string> {
  const pins = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [version, pkg] = line.trim().split(/\s+/);
    if (version && pkg && !version.startsWith("#")) pins.set(version, pkg);
  }
  return pins;
}

export function kernelCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NFCONFORM_KERNELS) return env.NFCONFORM_KERNELS;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "nfconform", "kernels");
}

/** The fetched kernel of `version`, or an Error whose one-line message names the command that fetches it. */
export function findKernel(
  version: string,
  pins: Map<string, string>,
  root: string = kernelCacheRoot(),
): CachedKernel | Error {
  if (!pins.has(version))
    return new Error(
      `no pinned kernel ${JSON.stringify(version)} (pinned: ${[...pins.keys()].join(", ")}; see scripts/kernel-packages)`,
    );
  const dir = join(root, version);
  const vmlinuz = join(dir, "vmlinuz");
  const initramfs = join(dir, "initramfs.cpio.gz");
  const files = [vmlinuz, initramfs, join(dir, "release"), join(dir, "package")];
  if (!files.every((file) => existsSync(file)))
    return new Error(`kernel ${version} is not fetched (no ${dir}/vmlinuz); run scripts/fetch-kernel ${version}`);
  const read = (name: string) => readFileSync(join(dir, name), "utf8").trim();
  const cached = read("package");
  if (cached !== pins.get(version))
    return new Error(
      `kernel ${version} in ${dir} is ${cached}, but ${pins.get(version)} is pinned; run scripts/fetch-kernel ${version}`,
    );
  return { version, vmlinuz, initramfs, release: read("release"), package: cached };
}
