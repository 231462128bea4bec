// br_netfilter, once loaded (by anything on the machine; built in on the host
// kernel, a module in the Debian kernels the VMs boot), turns on its calls of
// the ip, ip6 and arp hooks for bridged frames in every namespace: the bpf
// receive path would see br_nf_pre_routing() drop a frame whose IP header
// fails validation (a non-match that is not one), and the hooks area's bridge
// probes would meet the ip lists too. Where it is not loaded, no such call
// happens and its sysctls do not exist.
import { existsSync } from "node:fs";
import { readSysctl, sysctlPath, writeSysctl } from "../../sys/sysctl.js";

/** Turns br_netfilter's calls off in the current namespace, where it is loaded. */
export function bridgeNetfilterOff(): void {
  for (const table of ["iptables", "ip6tables", "arptables"]) {
    const key = `net.bridge.bridge-nf-call-${table}`;
    if (existsSync(sysctlPath(key)) && readSysctl(key) !== "0") writeSysctl(key, 0);
  }
}
