// /proc/sys/net values. /proc/sys/net shows the network namespace of the
// process that reads or writes it, so these are only ever called inside the
// namespace we created (writes refuse to run in the host's).
import { readFileSync, writeFileSync } from "node:fs";
import { assertPrivateNetns } from "./namespace.js";

/**
 * "net.ipv4.ip_forward" or "net/ipv4/ip_forward" -> /proc/sys/net/ipv4/ip_forward.
 * Use the slash form when a component holds a dot (an interface like "veth0.5").
 */
export function sysctlPath(key: string): string {
  const rel = key.includes("/") ? key.replace(/^\/+/, "") : key.replaceAll(".", "/");
  if (!rel.startsWith("net/") || rel.split("/").includes("..")) {
    throw new Error(`sysctl ${key}: only net.* keys are handled here`);
  }
  return `/proc/sys/${rel}`;
}

export function readSysctl(key: string): string {
  return readFileSync(sysctlPath(key), "utf8").trim();
}

export function writeSysctl(key: string, value: string | number): void {
  assertPrivateNetns(`sysctl ${key}`);
  writeFileSync(sysctlPath(key), `${value}\n`);
}
