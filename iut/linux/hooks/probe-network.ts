// What the hooks area adds to its namespace's test network so that a packet
// can be aimed at every hook list: forwarding on (the forward hook), an IPv6
// address on veth0 (local delivery of injected IPv6), no reverse-path filter
// and no redirects (injected packets come from addresses routed out of
// veth0, and forwarded ones leave by the device they came in on).
import { formatIPv4 } from "../../../sys/inet-addr.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { IpCommand } from "../../../sys/veth.js";
import { LOCAL_V4 } from "../address-policy.js";

export type IpVersion = 4 | 6;

/** Addresses the probes use: delivered locally, routed out of veth0, and a remote source for injected packets. */
export const PROBE_ADDRESSES: Record<IpVersion, { local: string; remote: string; source: string }> = {
  4: { local: formatIPv4(LOCAL_V4), remote: "198.51.100.1", source: "198.51.100.2" },
  6: { local: "2001:db8:ff::1", remote: "2001:db8:1::1", source: "2001:db8:2::2" },
};

export function setupProbeNetwork(): void {
  writeSysctl("net.ipv4.ip_forward", 1);
  writeSysctl("net.ipv6.conf.all.forwarding", 1);
  for (const scope of ["all", "default", "veth0", "veth1"]) {
    writeSysctl(`net.ipv4.conf.${scope}.rp_filter`, 0);
    writeSysctl(`net.ipv4.conf.${scope}.send_redirects`, 0);
  }
  new IpCommand().apply([{ kind: "addr-add", dev: "veth0", cidr: `${PROBE_ADDRESSES[6].local}/128` }]);
}
