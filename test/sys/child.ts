// Helpers for tests that must run in a child process inside a fresh network
// namespace: transpile sys/, wire/ (which sys/ imports) and the fixtures to
// plain JS (no type check; tsc does that) in a private temp dir, then run a
// fixture through wrapInNamespace.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { wrapInNamespace, type NamespaceMode } from "../../sys/namespace.js";

export const ROOT = resolve(import.meta.dirname, "../..");

function transpileDir(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true, mode: 0o755 });
  for (const f of readdirSync(src)) {
    if (statSync(join(src, f)).isDirectory()) {
      transpileDir(join(src, f), join(dst, f));
      continue;
    }
    if (!f.endsWith(".ts")) continue;
    const out = ts.transpileModule(readFileSync(join(src, f), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: f,
    });
    writeFileSync(join(dst, f.replace(/\.ts$/, ".js")), out.outputText, { mode: 0o644 });
  }
}

/**
 * Build into ROOT/.nfconform-tmp/sys-test-<pid>/ (under ROOT so `koffi`
 * resolves from node_modules and package.json makes .js ESM; world-readable so
 * the unprivileged-user test can load it). Returns the dir and a cleanup.
 */
export function buildForChildren(): { dir: string; fixture(name: string): string; cleanup(): void } {
  const base = join(ROOT, ".nfconform-tmp");
  mkdirSync(base, { recursive: true, mode: 0o755 });
  const dir = join(base, `sys-test-${process.pid}-${Date.now()}`);
  transpileDir(join(ROOT, "sys"), join(dir, "sys"));
  transpileDir(join(ROOT, "wire"), join(dir, "wire"));
  transpileDir(join(ROOT, "test/sys/fixtures"), join(dir, "test/sys/fixtures"));
  return {
    dir,
    fixture: (name) => join(dir, "test/sys/fixtures", `${name}.js`),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface ChildResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (fixtures report that way). */
  json: any;
}

function parseLast(stdout: string): unknown {
  const line = stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

export function runArgv(argv: string[], timeoutMs = 60_000): ChildResult {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8", timeout: timeoutMs, cwd: ROOT });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: parseLast(r.stdout) };
}

/** Run `node <script> ...args` inside a fresh network namespace. */
export function runInNamespace(
  script: string,
  args: string[] = [],
  mode?: NamespaceMode,
  timeoutMs?: number,
): ChildResult {
  return runArgv(wrapInNamespace([process.execPath, script, ...args], mode), timeoutMs);
}

/** The same, as uid/gid 65534 (nobody) with no supplementary groups: user-namespace mode. */
export function runAsNobody(argv: string[], timeoutMs?: number): ChildResult {
  return runArgv(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", ...argv], timeoutMs);
}
