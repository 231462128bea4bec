// Closing an AF_PACKET socket waits for an RCU grace period (packet_release()
// calls synchronize_net()): 10 to 15 ms each, measured, most of a frag6 kernel
// case. A worker thread closes such descriptors instead, so the caller goes
// on. The descriptor stays open (its namespace alive) until the worker gets to
// it; nothing else uses it meanwhile, so its number is not reused early.
import { Worker } from "node:worker_threads";

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const koffi = require(${JSON.stringify(koffiPath())});
const close = koffi.load("libc.so.6").func("int close(int)");
parentPort.on("message", (fd) => close(fd));
`;

function koffiPath(): string {
  return new URL(import.meta.resolve("koffi")).pathname;
}

let worker: Worker | null = null;

/** Closes `fd` on a worker thread; falls back to `closeNow` where no worker can start. */
export function closeInBackground(fd: number, closeNow: (fd: number) => void): void {
  try {
    worker ??= new Worker(WORKER_SOURCE, { eval: true });
    // The worker must never keep the process alive on its own.
    worker.unref();
    worker.postMessage(fd);
  } catch {
    closeNow(fd);
  }
}
