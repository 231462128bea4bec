// A shell command run as the leader of a process group of its own (setsid), so
// that it and whatever it starts (a grandchild holding the pipes, an `unshare`
// with a kernel IUT inside) are killed together: on request, and whenever this
// process ends. Even a SIGKILL of this process, which runs no exit hook, takes
// the group with it: a watchdog in the group waits on a pipe only this process
// holds open and kills the group when it closes (see WATCHDOG).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import type { Socket } from "node:net";

/**
 * The shell that starts the command ($1). It forks a watchdog that reads fd 3,
 * a pipe whose other end only this process holds: the read returns (EOF) once
 * this process is gone, however it died, and the watchdog kills the process
 * group (`kill 0`), itself included. Then the shell becomes the command's
 * shell (exec, same pid), without fd 3. A command that leaves the group (its
 * own setsid) escapes this, as it escapes every group kill.
 */
const WATCHDOG = '{ read -r _ || :; kill -KILL 0; } <&3 >/dev/null 2>&1 & exec /bin/sh -c "$1" 3<&-';

/** Process groups still running: killed when this process exits, however it exits. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pgid: number | undefined): void {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // ESRCH: the group is gone already.
  }
}

function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const group of liveGroups) killGroup(group);
  });
}

/** This process's end of the watchdog's pipe (fd 3 of the group leader's shell). */
function watchdogPipe(child: ChildProcessWithoutNullStreams): Socket | undefined {
  return (child.stdio as unknown[])[3] as Socket | undefined;
}

/** Starts `command` under /bin/sh as a new group's leader; `name` is its $0 (what ps shows). */
export function spawnInOwnGroup(name: string, command: string): ChildProcessWithoutNullStreams {
  // detached: setsid(), so the command and everything it starts form one group to kill.
  const child = spawn("/bin/sh", ["-c", WATCHDOG, name, command], {
    stdio: ["pipe", "pipe", "pipe", "pipe"],
    detached: true,
  }) as unknown as ChildProcessWithoutNullStreams;
  // Held open, never read or written, and never what keeps this process alive.
  watchdogPipe(child)?.unref();
  if (child.pid !== undefined) trackGroup(child.pid);
  return child;
}

/** Kills the whole group and, unless they close by themselves within `graceMs`, its pipes. */
export function endGroup(child: ChildProcessWithoutNullStreams, graceMs: number): void {
  if (child.pid !== undefined) {
    killGroup(child.pid);
    liveGroups.delete(child.pid);
  }
  child.stdin.destroy();
  watchdogPipe(child)?.destroy();
  const closePipes = () => {
    child.stdout.destroy();
    child.stderr.destroy();
  };
  if (graceMs === 0) {
    closePipes();
    return;
  }
  // The last stderr lines may still be on their way: wait a moment, never for ever.
  const timer = setTimeout(closePipes, graceMs);
  child.once("close", () => clearTimeout(timer));
}

/** Resolves true once the process has exited, false after `ms`. */
export function waitExit(child: ChildProcessWithoutNullStreams, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
