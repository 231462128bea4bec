// The network the kernel IUT sends through, inside its own namespace: veth0
// (where packets leave and are captured) and veth1, a default route for each
// family through a gateway with a static neighbour entry, so every generated
// destination leaves veth0 at once, with no ARP or ND. The gateway's MAC is no
// device's: veth1 sees those frames as PACKET_OTHERHOST and drops them, so a
// packet never loops back through veth1 and the forwarding path.
import { writeSysctl } from "../../sys/sysctl.js";
import { awaitLinksActive } from "../../sys/rtnetlink.js";
import { setupVethPair, setTxChecksumOffload } from "../../sys/veth.js";
import { assertPrivateNetns } from "../../sys/namespace.js";
import { formatIPv4 } from "../../sys/inet-addr.js";
import { GATEWAY_V4, LOCAL_V4 } from "./address-policy.js";

export const GATEWAY_V6 = "fe80::2";
export const GATEWAY_MAC = "02:00:00:00:00:fe";

export function setupTestNetwork(): void {
  assertPrivateNetns("kernel IUT test network");
  // Flow labels stay as sent (no automatic ones); no DAD or router solicitations on the test links.
  writeSysctl("net.ipv6.auto_flowlabels", 0);
  writeSysctl("net.ipv6.conf.default.accept_dad", 0);
  writeSysctl("net.ipv6.conf.default.router_solicitations", 0);
  writeSysctl("net.ipv6.conf.default.accept_ra", 0);
  setupVethPair([
    { kind: "addr-add", dev: "veth0", cidr: `${formatIPv4(LOCAL_V4)}/32` },
    { kind: "route-add", dst: `${formatIPv4(GATEWAY_V4)}/32`, dev: "veth0" },
    { kind: "route-add", dst: "0.0.0.0/0", via: formatIPv4(GATEWAY_V4), dev: "veth0" },
    { kind: "neigh-add", dev: "veth0", ip: formatIPv4(GATEWAY_V4), mac: GATEWAY_MAC },
    { kind: "route-add", dst: "::/0", via: GATEWAY_V6, dev: "veth0" },
    { kind: "neigh-add", dev: "veth0", ip: GATEWAY_V6, mac: GATEWAY_MAC },
  ]);
  // veth0 came up before its peer: until linkwatch activates its queues, what it sends is dropped.
  awaitLinksActive(["veth0", "veth1"]);
  // veth offers tx checksum offload by default; say so explicitly, since the
  // checksum area needs locally sent UDP to leave CHECKSUM_PARTIAL.
  setTxChecksumOffload("veth0", true);
}
