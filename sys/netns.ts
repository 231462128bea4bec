// More network namespaces inside ours, one per area of the kernel IUT, so that
// one area's hooks, rules and sysctls never count in another's (the 1024-hook
// limit, hook order). unshare()/setns() move only the calling thread: the
// kernel IUT does all its socket, sysctl and spawn work on the main thread, and
// a socket stays in the namespace it was created in.
import { closeSync, openSync } from "node:fs";
import { check, libc } from "./libc.js";
import { assertPrivateNetns } from "./namespace.js";

const CLONE_NEWNET = 0x40000000;

export class NetworkNamespace {
  private constructor(private readonly fd: number) {}

  /** The namespace the main thread is in now. */
  static current(): NetworkNamespace {
    return new NetworkNamespace(openSync("/proc/thread-self/ns/net", "r"));
  }

  /** A fresh, empty namespace, which the main thread is left in. */
  static create(): NetworkNamespace {
    assertPrivateNetns("creating a nested network namespace");
    check("unshare(CLONE_NEWNET)", libc().unshare(CLONE_NEWNET));
    return NetworkNamespace.current();
  }

  /** Moves the main thread into this namespace. */
  enter(): void {
    check("setns(CLONE_NEWNET)", libc().setns(this.fd, CLONE_NEWNET));
  }

  close(): void {
    closeSync(this.fd);
  }
}
