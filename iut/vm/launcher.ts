// The adapter process behind `--iut linux@<version>`
// (`nfconform adapter linux --kernel <version>`): it boots the fetched kernel
// under QEMU and relays the VM's adapter channel (a virtio-serial port behind a
// Unix socket) to its own stdin and stdout, so the suite's AdapterClient speaks
// to the adapter inside exactly as to a local one. The console goes to stderr
// (logs). QEMU is this process's child in its process group, so the client's
// group kill takes the VM with it; the guest powers off when its adapter exits.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { findExecutable } from "../../sys/namespace.js";
import { chooseAccel } from "./accel.js";
import { findKernel, parsePins, PINS_FILE, type CachedKernel } from "./kernel-cache.js";
import { qemuArgs } from "./qemu-args.js";

export const QEMU = "qemu-system-x86_64";
/** How long QEMU may take to create its socket. */
const SOCKET_DEADLINE_MS = 30_000;

/** The kernel to boot and QEMU to boot it with, or why not, in one line naming the remedy. */
export function vmProblem(version: string): { kernel: CachedKernel; qemu: string } | Error {
  let pinsText: string;
  try {
    pinsText = readFileSync(PINS_FILE, "utf8");
  } catch (error) {
    return new Error(`cannot read the pinned kernels ${PINS_FILE}: ${(error as Error).message}`);
  }
  const kernel = findKernel(version, parsePins(pinsText));
  if (kernel instanceof Error) return kernel;
  // iut/vm/init mounts fresh tmpfs on /tmp and /run in the guest, hiding the host's.
  const hidden = [process.execPath, PINS_FILE].find((path) => /^\/(tmp|run)\//.test(path));
  if (hidden)
    return new Error(`the VM hides the host's /tmp and /run, so it cannot run ${hidden}; install nfconform elsewhere`);
  const qemu = findExecutable(QEMU);
  if (!qemu) return new Error(`--iut linux@${version} needs ${QEMU} (apt-get install qemu-system-x86)`);
  return { kernel, qemu };
}

/** Connects to QEMU's listening socket once it exists. */
async function connectWhenReady(path: string, alive: () => boolean): Promise<Socket> {
  const deadline = Date.now() + SOCKET_DEADLINE_MS;
  while (!existsSync(path)) {
    if (!alive() || Date.now() > deadline) throw new Error(`QEMU did not open its adapter socket ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Boots the VM and relays its adapter channel to stdin/stdout; resolves to QEMU's exit status. */
export async function launchVm(version: string, adapterArgs: string[], main: string): Promise<number> {
  const found = vmProblem(version);
  if (found instanceof Error) throw found;
  const dir = mkdtempSync(join(tmpdir(), "nfconform-vm-"));
  const socketPath = join(dir, "adapter.sock");
  const args = qemuArgs({
    kernel: found.kernel,
    accel: chooseAccel(found.qemu, found.kernel),
    node: process.execPath,
    main,
    adapterArgs,
    socket: socketPath,
  });
  // QEMU's stdout is the console: logs, onto our stderr; so is its stderr, but for the line every start prints.
  const child = spawn(found.qemu, args, { stdio: ["ignore", process.stderr, "pipe"] });
  createInterface({ input: child.stderr }).on("line", (line) => {
    if (!line.includes("QEMU waiting for connection")) process.stderr.write(`${line}\n`);
  });
  const exited = new Promise<number>((resolve) => {
    child.on("error", (error) => {
      process.stderr.write(`nfconform: cannot start ${found.qemu}: ${error.message}\n`);
      resolve(2);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  try {
    const channel = await connectWhenReady(socketPath, () => child.exitCode === null && child.signalCode === null);
    // Connected: the folder has done its job, and nothing is left behind even after a kill -9.
    rmSync(dir, { recursive: true, force: true });
    process.stdin.pipe(channel);
    channel.pipe(process.stdout);
    channel.on("error", () => {}); // the VM's end going away shows up as QEMU's exit
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`nfconform: ${(error as Error).message}\n`);
    child.kill("SIGKILL");
  }
  const status = await exited;
  process.stdin.destroy();
  return status;
}
