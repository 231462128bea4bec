// The QEMU command line behind `--iut linux@<version>`: the fetched kernel and
// its initramfs (whose /init is iut/vm/init), the host's files read-only over
// 9p, the adapter protocol on a virtio-serial port behind a Unix socket the
// launcher relays (its path is the caller's, in a fresh private folder, so any
// number of these VMs can run at once), the console (logs only) on QEMU's
// stdout, and no network device.
import type { CachedKernel } from "./kernel-cache.js";

export type Accel = "kvm" | "tcg";

export interface VmSpec {
  kernel: CachedKernel;
  accel: Accel;
  /** node and the CLI's main.js, as host paths (the guest sees the host's / read-only). */
  node: string;
  main: string;
  /** Arguments after `nfconform adapter linux` inside the VM. */
  adapterArgs: string[];
  /** The Unix socket QEMU listens on for the adapter channel (it waits for one connection before booting). */
  socket: string;
  memoryMb?: number;
}

/** The port name iut/vm/init looks for. */
export const PORT_NAME = "nfconform";

/** Kernel command-line words carry no spaces, and the init splits args on commas. */
function commandLineWord(what: string, value: string): string {
  if (/[\s,"]/.test(value) || value === "") throw new Error(`${what} ${JSON.stringify(value)} cannot pass to the VM`);
  return value;
}

export function kernelCommandLine(spec: VmSpec): string {
  const args = spec.adapterArgs.map((a) => commandLineWord("adapter argument", a));
  return [
    "console=ttyS0",
    "quiet",
    "loglevel=3",
    // A kernel panic ends the VM (with -no-reboot) instead of hanging the run.
    "panic=-1",
    `nfconform.node=${commandLineWord("node path", spec.node)}`,
    `nfconform.main=${commandLineWord("main.js path", spec.main)}`,
    ...(args.length > 0 ? [`nfconform.args=${args.join(",")}`] : []),
  ].join(" ");
}

export function qemuArgs(spec: VmSpec): string[] {
  return [
    "-nodefaults",
    "-no-user-config",
    "-machine",
    "q35",
    "-accel",
    spec.accel,
    // TCG's "max" has the instructions node is built for; KVM passes the host's through.
    "-cpu",
    spec.accel === "kvm" ? "host" : "max",
    "-smp",
    "1",
    "-m",
    String(spec.memoryMb ?? 1024),
    "-display",
    "none",
    "-monitor",
    "none",
    "-no-reboot",
    "-nic",
    "none",
    "-kernel",
    spec.kernel.vmlinuz,
    "-initrd",
    spec.kernel.initramfs,
    "-append",
    kernelCommandLine(spec),
    // stdio, not a file: the launcher's stderr may be a socket, which a path cannot open.
    "-chardev",
    "stdio,id=console,signal=off",
    "-serial",
    "chardev:console",
    "-virtfs",
    "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
    "-device",
    "virtio-serial-pci",
    "-chardev",
    `socket,id=adapter,path=${spec.socket},server=on,wait=on`,
    "-device",
    `virtserialport,chardev=adapter,name=${PORT_NAME}`,
  ];
}
