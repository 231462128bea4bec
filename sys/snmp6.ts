// The IPv6 SNMP counters of the calling thread's namespace
// (/proc/thread-self/net/snmp6, or a device's dev_snmp6/<dev>): one
// "Name value" line each, read into a map by name.
import { readFileSync } from "node:fs";

/** The counters in `file` (the namespace's snmp6 by default), by name. */
export function snmp6Counters(file = "/proc/thread-self/net/snmp6"): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [name, value] = line.trim().split(/\s+/);
    if (name && value) out.set(name, Number(value));
  }
  return out;
}
