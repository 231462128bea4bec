// Running work inside a throwaway network namespace, and checking that we can.
// Namespaces are anonymous (unshare), never named (`ip netns add`): they exist
// only while a process lives in them, so a crash or kill -9 leaves nothing.
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync, readlinkSync } from "node:fs";
import { delimiter, join } from "node:path";

export type NamespaceMode = "root" | "userns";
export type NamespaceSupport = { ok: true; mode: NamespaceMode } | { ok: false; reason: string; remedy: string };

/** Absolute path of an executable on PATH (plus the sbin dirs root tools live in), or null. */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin", "/bin"];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function readProc(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** The mode wrapInNamespace uses when none is given: plain netns as root, else a user namespace. */
export function defaultMode(): NamespaceMode {
  return isRoot() ? "root" : "userns";
}

/**
 * Command line running argv in a fresh network namespace. Also a fresh PID
 * namespace, so when its first process dies the kernel kills everything
 * inside (no stray grandchild keeps the netns alive); --kill-child kills that
 * first process when unshare dies; setpriv --pdeathsig kills unshare when the
 * process that spawned it dies (parent death is tracked per thread: spawn from
 * the main thread, as child_process does). As non-root the namespaces sit in a
 * new user namespace where we are mapped to root, which gives CAP_NET_ADMIN
 * over the new netns only.
 */
export function wrapInNamespace(argv: string[], mode: NamespaceMode = defaultMode()): string[] {
  const unshare = findExecutable("unshare") ?? "unshare";
  const setpriv = findExecutable("setpriv");
  const userns = mode === "userns" ? ["--user", "--map-root-user"] : [];
  const cmd = [unshare, ...userns, "--net", "--pid", "--fork", "--kill-child=SIGKILL", "--", ...argv];
  return setpriv ? [setpriv, "--pdeathsig", "SIGKILL", "--", ...cmd] : cmd;
}

function tryMode(mode: NamespaceMode): { ok: boolean; detail: string } {
  // With `ip` present, prove we can configure the new netns (needs
  // CAP_NET_ADMIN there), not just enter it.
  const ip = findExecutable("ip");
  const argv = wrapInNamespace(ip ? [ip, "link", "set", "lo", "up"] : ["true"], mode);
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8", timeout: 10_000 });
  if (r.error) return { ok: false, detail: r.error.message };
  if (r.status === 0) return { ok: true, detail: "" };
  return { ok: false, detail: (r.stderr || `exit status ${r.status ?? r.signal}`).trim() };
}

// What a failed `unshare --user` usually means, in words a user can act on.
function usernsHint(detail: string): string {
  if (/No space left on device/i.test(detail)) {
    return " (the user-namespace quota is exhausted: user.max_user_namespaces of this or an enclosing user namespace)";
  }
  if (/Operation not permitted|Permission denied/i.test(detail)) {
    return " (user-namespace creation is denied by kernel policy, seccomp or an LSM)";
  }
  return "";
}

/** Whether this process can create the network namespaces the suite runs in, and how. */
export function probeNamespaceSupport(): NamespaceSupport {
  if (!findExecutable("unshare")) {
    return {
      ok: false,
      reason: "the util-linux `unshare` program is not installed (needed to create network namespaces)",
      remedy: "install util-linux (e.g. `apt-get install util-linux`)",
    };
  }
  if (isRoot()) {
    const r = tryMode("root");
    if (r.ok) return { ok: true, mode: "root" };
    // Root without CAP_SYS_ADMIN (an unprivileged container) may still have user namespaces.
    const u = tryMode("userns");
    if (u.ok) return { ok: true, mode: "userns" };
    return {
      ok: false,
      reason: `running as uid 0 but \`unshare --net\` failed (${r.detail}): the process lacks CAP_SYS_ADMIN, which creating a network namespace requires; \`unshare --user --map-root-user --net\` failed too (${u.detail})${usernsHint(u.detail)}`,
      remedy:
        "run with CAP_SYS_ADMIN and CAP_NET_ADMIN (e.g. `docker run --cap-add SYS_ADMIN --cap-add NET_ADMIN` or --privileged), or enable unprivileged user namespaces",
    };
  }
  const uid = process.getuid?.() ?? -1;
  const noCap = `uid ${uid} has no CAP_SYS_ADMIN, so it needs an unprivileged user namespace to create a network namespace`;
  if (readProc("/proc/sys/kernel/unprivileged_userns_clone") === "0") {
    return {
      ok: false,
      reason: `${noCap}, but kernel.unprivileged_userns_clone is 0`,
      remedy: "as root: `sysctl -w kernel.unprivileged_userns_clone=1`, or run the suite as root",
    };
  }
  if (readProc("/proc/sys/user/max_user_namespaces") === "0") {
    return {
      ok: false,
      reason: `${noCap}, but user.max_user_namespaces is 0`,
      remedy: "as root: `sysctl -w user.max_user_namespaces=15000`, or run the suite as root",
    };
  }
  if (readProc("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") === "1") {
    const r = tryMode("userns");
    if (r.ok) return { ok: true, mode: "userns" };
    return {
      ok: false,
      reason: `${noCap}, but AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1): ${r.detail}`,
      remedy:
        "as root: `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, or an AppArmor profile with `userns,` for node, or run the suite as root",
    };
  }
  const r = tryMode("userns");
  if (r.ok) return { ok: true, mode: "userns" };
  return {
    ok: false,
    reason: `${noCap}, and \`unshare --user --map-root-user --net\` failed: ${r.detail}${usernsHint(r.detail)}`,
    remedy:
      "enable unprivileged user namespaces (check seccomp/container policy, user.max_user_namespaces, kernel.unprivileged_userns_clone) or run the suite as root",
  };
}

function netnsOf(pid: number | "self"): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null; // gone, or not ours to inspect (ptrace access rules)
  }
}

function parentOf(pid: number | "self"): number {
  const m = /^PPid:\s*(\d+)/m.exec(readProc(`/proc/${pid}/status`) ?? "");
  return m ? Number(m[1]) : 0;
}

/**
 * Why we believe this process is NOT in the host's network namespace, or null
 * when that cannot be shown. Evidence, in order: PID 1 (the host's init, or
 * the container's) is in another netns; an ancestor process is (unshare's
 * parent is, for wrapInNamespace children); we are in a non-initial user
 * namespace, whose root holds no capability over the host's netns anyway.
 */
export function privateNetnsEvidence(): string | null {
  const self = netnsOf("self");
  if (!self) return null;
  const init = netnsOf(1);
  if (init) return init !== self ? `PID 1 is in ${init}, we are in ${self}` : null;
  for (let pid = parentOf("self"), hops = 0; pid > 1 && hops < 64; pid = parentOf(pid), hops++) {
    const ns = netnsOf(pid);
    if (ns && ns !== self) return `ancestor ${pid} is in ${ns}, we are in ${self}`;
  }
  const uidMap = (readProc("/proc/self/uid_map") ?? "").trim().split(/\s+/).join(" ");
  if (uidMap && uidMap !== "0 0 4294967295") return `in a non-initial user namespace (uid_map "${uidMap}")`;
  return null;
}

/** Refuse to change network configuration unless we are provably outside the host's namespace. */
export function assertPrivateNetns(what: string): void {
  if (privateNetnsEvidence() === null) {
    throw new Error(
      `${what}: refusing to run in what may be the host network namespace; run it through wrapInNamespace()`,
    );
  }
}
