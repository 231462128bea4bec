// The test network inside our namespace: veth0 <-> veth1, lo, addresses,
// routes and static neighbours. Configuration is described as data (NetOp) and
// applied by a NetConfigurator: IpCommand applies a whole list with ONE
// `ip -batch` run; Rtnetlink (rtnetlink.ts) sends the same changes as
// messages, with no process started.
import { spawnSync } from "node:child_process";
import { isIPv6 } from "node:net";
import { ifNameToIndex } from "./libc.js";
import { assertPrivateNetns, findExecutable } from "./namespace.js";
import { getTxChecksumOffload, interfaceMac, setTxChecksumOffload } from "./netdev-ioctl.js";

export type NetOp =
  | {
      kind: "veth-add";
      name: string;
      peer: string;
      mac?: string;
      peerMac?: string;
      /** ifindex of each end (default: the kernel picks). */
      index?: number;
      peerIndex?: number;
      mtu?: number;
    }
  | { kind: "link-address"; dev: string; mac: string }
  | { kind: "link-promisc"; dev: string }
  | { kind: "link-mtu"; dev: string; mtu: number }
  /** index: its ifindex (default: the kernel picks). */
  /** mcastSnooping false: the bridge inspects no multicast frame (br_multicast_rcv() returns at once). */
  | { kind: "bridge-add"; name: string; mac: string; index?: number; mcastSnooping?: boolean }
  | { kind: "link-master"; dev: string; master: string }
  /** A bridge port's switches: learning off, unicast flooding as asked. */
  | { kind: "bridge-port"; dev: string; flood: boolean }
  | { kind: "link-up" | "link-down" | "link-del"; dev: string }
  | { kind: "addr-add" | "addr-del"; dev: string; cidr: string }
  | { kind: "route-add" | "route-del"; dst: string; dev?: string; via?: string; table?: number }
  | { kind: "neigh-add"; dev: string; ip: string; mac: string }
  | { kind: "neigh-del"; dev: string; ip: string };

export interface NetConfigurator {
  /** Apply ops in order; throws on the first failure. */
  apply(ops: readonly NetOp[]): void;
}

// `ip -batch` takes no per-line -4/-6: the family follows from the address
// (write "::/0", not "default", for the IPv6 default route).
function isV6(addr: string): boolean {
  return isIPv6(addr.split("/")[0] ?? "");
}

/** One `ip -batch` line per op (exported for tests and for logging). */
export function ipBatchLine(op: NetOp): string {
  switch (op.kind) {
    case "veth-add":
      return [
        `link add ${op.name}`,
        op.index !== undefined ? `index ${op.index}` : "",
        op.mac ? `address ${op.mac}` : "",
        op.mtu !== undefined ? `mtu ${op.mtu}` : "",
        `type veth peer name ${op.peer}`,
        op.peerIndex !== undefined ? `index ${op.peerIndex}` : "",
        op.peerMac ? `address ${op.peerMac}` : "",
        op.mtu !== undefined ? `mtu ${op.mtu}` : "",
      ]
        .filter(Boolean)
        .join(" ");
    case "bridge-add":
      // No STP and no forward delay: a port forwards as soon as it is up.
      return `link add ${op.name}${op.index !== undefined ? ` index ${op.index}` : ""} address ${op.mac} type bridge stp_state 0 forward_delay 0${op.mcastSnooping === false ? " mcast_snooping 0" : ""}`;
    case "link-master":
      return `link set dev ${op.dev} master ${op.master}`;
    case "bridge-port":
      return `link set dev ${op.dev} type bridge_slave learning off flood ${op.flood ? "on" : "off"}`;
    case "link-promisc":
      return `link set dev ${op.dev} promisc on`;
    case "link-mtu":
      return `link set dev ${op.dev} mtu ${op.mtu}`;
    case "link-address":
      return `link set dev ${op.dev} address ${op.mac}`;
    case "link-up":
      return `link set dev ${op.dev} up`;
    case "link-down":
      return `link set dev ${op.dev} down`;
    case "link-del":
      return `link del dev ${op.dev}`;
    case "addr-add":
      // nodad: an IPv6 address is usable (bindable) at once, not "tentative".
      return `addr add ${op.cidr} dev ${op.dev}${isV6(op.cidr) ? " nodad" : ""}`;
    case "addr-del":
      return `addr del ${op.cidr} dev ${op.dev}`;
    case "route-add":
    case "route-del": {
      const verb = op.kind === "route-add" ? "replace" : "del";
      return [
        `route ${verb} ${op.dst}`,
        op.via ? `via ${op.via}` : "",
        op.dev ? `dev ${op.dev}` : "",
        op.table !== undefined ? `table ${op.table}` : "",
      ]
        .filter(Boolean)
        .join(" ");
    }
    case "neigh-add":
      return `neigh replace ${op.ip} lladdr ${op.mac} nud permanent dev ${op.dev}`;
    case "neigh-del":
      return `neigh del ${op.ip} dev ${op.dev}`;
  }
}

/** Applies ops by running `ip -batch -` once per apply() call. */
export class IpCommand implements NetConfigurator {
  private readonly ip: string;
  constructor(ip = findExecutable("ip")) {
    if (!ip) throw new Error("iproute2 `ip` not found (install iproute2)");
    this.ip = ip;
  }

  apply(ops: readonly NetOp[]): void {
    if (ops.length === 0) return;
    assertPrivateNetns("network configuration");
    const script = `${ops.map(ipBatchLine).join("\n")}\n`;
    const r = spawnSync(this.ip, ["-batch", "-"], { input: script, encoding: "utf8", timeout: 30_000 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`ip -batch failed (${r.status ?? r.signal}): ${r.stderr.trim()}\n${script}`);
  }
}

export interface LinkInfo {
  name: string;
  ifindex: number;
  mac: string;
}

// Fixed locally administered MACs keep captured frames reproducible.
export const VETH0_MAC = "02:00:00:00:00:01";
export const VETH1_MAC = "02:00:00:00:00:02";

/** The six bytes of a MAC address written "02:00:00:00:00:01". */
/** "02:00:00:00:00:01" as 6 bytes; throws naming the text unless it is six hex pairs. */
export function macBytes(text: string): Uint8Array {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(text))
    throw new Error(`MAC address "${text}" is not six hex pairs separated by colons`);
  return Uint8Array.from(text.split(":").map((h) => parseInt(h, 16)));
}

export function linkInfo(name: string): LinkInfo {
  return { name, ifindex: ifNameToIndex(name), mac: interfaceMac(name) };
}

/**
 * Create veth0/veth1 (fixed MACs) and bring lo, veth0 and veth1 up: once per
 * namespace, in one `ip` run. Extra ops (addresses, routes, neighbours) can
 * ride along in the same run.
 */
export function setupVethPair(
  extra: readonly NetOp[] = [],
  cfg: NetConfigurator = new IpCommand(),
): { veth0: LinkInfo; veth1: LinkInfo } {
  cfg.apply([
    { kind: "veth-add", name: "veth0", peer: "veth1", mac: VETH0_MAC, peerMac: VETH1_MAC },
    { kind: "link-up", dev: "lo" },
    { kind: "link-up", dev: "veth0" },
    { kind: "link-up", dev: "veth1" },
    ...extra,
  ]);
  return { veth0: linkInfo("veth0"), veth1: linkInfo("veth1") };
}

// Single-op conveniences; prefer batching ops into one apply() during setup.
export function addAddress(dev: string, cidr: string, cfg: NetConfigurator = new IpCommand()): void {
  cfg.apply([{ kind: "addr-add", dev, cidr }]);
}
export function removeAddress(dev: string, cidr: string, cfg: NetConfigurator = new IpCommand()): void {
  cfg.apply([{ kind: "addr-del", dev, cidr }]);
}
export function addRoute(
  dst: string,
  via: { dev?: string; via?: string; table?: number },
  cfg: NetConfigurator = new IpCommand(),
): void {
  cfg.apply([{ kind: "route-add", dst, ...via }]);
}
export function removeRoute(
  dst: string,
  via: { dev?: string; via?: string; table?: number },
  cfg: NetConfigurator = new IpCommand(),
): void {
  cfg.apply([{ kind: "route-del", dst, ...via }]);
}
export function addNeighbour(dev: string, ip: string, mac: string, cfg: NetConfigurator = new IpCommand()): void {
  cfg.apply([{ kind: "neigh-add", dev, ip, mac }]);
}
export function removeNeighbour(dev: string, ip: string, cfg: NetConfigurator = new IpCommand()): void {
  cfg.apply([{ kind: "neigh-del", dev, ip }]);
}

/** tx checksum offload of a device (veth: on by default); the `ethtool -K dev tx on|off` switch. */
export { getTxChecksumOffload, setTxChecksumOffload };
