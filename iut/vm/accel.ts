// KVM or TCG for the kernel VMs. /dev/kvm can exist and still fail: nested on
// the development machines a KVM guest stops at once with "KVM internal
// error. Suberror: 1" and QEMU then hangs instead of exiting. So "auto"
// proves KVM by booting the kernel with no init (it panics, and with
// panic=-1 and -no-reboot QEMU exits 0); anything else within the deadline
// means TCG. The answer is kept per kernel and host boot, as a file in the
// kernel's cache folder, so only the first launch pays for the probe.
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { CachedKernel } from "./kernel-cache.js";
import type { Accel } from "./qemu-args.js";

export const ACCEL_ENV = "NFCONFORM_VM_ACCEL";
const PROBE_DEADLINE_MS = 15_000;

/** The accelerator named by NFCONFORM_VM_ACCEL (kvm, tcg or auto, the default). */
export function accelChoice(env: NodeJS.ProcessEnv = process.env): Accel | "auto" {
  const value = env[ACCEL_ENV] ?? "auto";
  if (value === "kvm" || value === "tcg" || value === "auto") return value;
  throw new Error(`${ACCEL_ENV}=${JSON.stringify(value)}: use kvm, tcg or auto`);
}

function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "unknown";
  }
}

function kvmUsable(qemu: string, kernel: CachedKernel): boolean {
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  const r = spawnSync(
    qemu,
    ["-nodefaults", "-no-user-config", "-accel", "kvm", "-cpu", "host", "-m", "256", "-display", "none"]
      .concat(["-monitor", "none", "-no-reboot", "-nic", "none", "-kernel", kernel.vmlinuz])
      .concat(["-append", "panic=-1 rdinit=/nfconform-kvm-probe"]),
    { timeout: PROBE_DEADLINE_MS, killSignal: "SIGKILL", stdio: "ignore" },
  );
  return r.status === 0;
}

/** KVM when it boots this kernel here, else TCG (or what NFCONFORM_VM_ACCEL says). */
export function chooseAccel(qemu: string, kernel: CachedKernel): Accel {
  const choice = accelChoice();
  if (choice !== "auto") return choice;
  const memo = join(dirname(kernel.vmlinuz), "accel");
  const key = bootId();
  try {
    const [memoKey, memoAccel] = readFileSync(memo, "utf8").trim().split(" ");
    if (memoKey === key && (memoAccel === "kvm" || memoAccel === "tcg")) return memoAccel;
  } catch {
    // No memo yet.
  }
  const accel: Accel = kvmUsable(qemu, kernel) ? "kvm" : "tcg";
  try {
    writeFileSync(memo, `${key} ${accel}\n`);
  } catch {
    // A read-only cache only costs the next launch another probe.
  }
  return accel;
}
