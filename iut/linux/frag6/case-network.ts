// The network of one frag6 case: a namespace of its own with the veth pair,
// addresses, neighbour and sysctls the case asks for (and, on the conntrack
// path, a ct rule that brings nf_defrag_ipv6 in). Each case gets a namespace
// of its own because fragment queues cannot be flushed: a queue leaves only by
// completing, by its timer expiring, or when the namespace is torn down
// (net/ipv4/inet_fragment.c, net/ipv6/reassembly.c); lowering high_thresh
// stops new queues but evicts nothing, so a queue left by one case would
// otherwise meet the next case's fragments. A namespace is lent again only
// once proved empty of them and of all else a case could observe
// (case-namespace-pool.ts, namespace-reset.ts).
import { readFileSync } from "node:fs";
import { formatIPv6 } from "../../../sys/inet-addr.js";
import { NetworkNamespace } from "../../../sys/netns.js";
import { awaitLinksActive, linksActivated, Rtnetlink } from "../../../sys/rtnetlink.js";
import { sleepSync } from "../../../sys/sleep.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { VETH0_MAC, VETH1_MAC, type NetOp } from "../../../sys/veth.js";
import { NFPROTO_IPV6 } from "../../../wire/netlink/nfnetlink.js";
import * as N from "../../../wire/netlink/nftables.js";
import type { BatchEntry } from "../../../wire/netlink/nfnetlink.js";
import { NftSession } from "../nft-session.js";
import { GATEWAY_MAC, GATEWAY_V6 } from "../test-network.js";

export type Frag6Path = "plain" | "conntrack";

export interface CaseSysctls {
  /** Seconds (proc_dointvec_jiffies). */
  timeoutSeconds: number;
  highThresh: number;
  lowThresh: number;
}

/**
 * `table ip6 nfconform_frag6 { chain pre { type filter hook prerouting
 * priority 0; policy accept; ct state new counter; } }`: nf_defrag_ipv6
 * registers its hook in a namespace once a ct expression of an ip6/inet table
 * needs conntrack there (nft_ct_get_init() -> nf_ct_netns_get()).
 */
function conntrackRuleset(): BatchEntry[] {
  const family = NFPROTO_IPV6;
  const table = "nfconform_frag6";
  return [
    N.newTable({ family, name: table }),
    N.newChain({
      family,
      table,
      name: "pre",
      type: "filter",
      hook: { hooknum: N.NF_INET_PRE_ROUTING, priority: 0 },
      policy: N.NF_ACCEPT,
    }),
    N.newRule({
      family,
      table,
      chain: "pre",
      expressions: [...N.ctStateNew(), { kind: "counter" }],
    }),
  ];
}

/** Commits conntrackRuleset() in the calling thread's namespace. */
function applyConntrackRuleset(): void {
  const session = new NftSession();
  try {
    const r = session.apply(conntrackRuleset());
    if (!r.committed) throw new Error(`the frag6 conntrack ruleset was refused: errno ${r.errnos.join(", ")}`);
  } finally {
    session.close();
  }
}

export function writeCaseSysctls(path: Frag6Path, s: CaseSysctls): void {
  // Low before high: the kernel refuses low > high (and high < low).
  const pairs: [string, number][] = [];
  const prefixes =
    path === "conntrack" ? ["net.ipv6.ip6frag", "net.netfilter.nf_conntrack_frag6"] : ["net.ipv6.ip6frag"];
  for (const p of prefixes) {
    const lowFirst = s.lowThresh <= Number(readFileSync(`/proc/sys/${p.replaceAll(".", "/")}_high_thresh`, "utf8"));
    const order: [string, number][] = [
      [`${p}_low_thresh`, s.lowThresh],
      [`${p}_high_thresh`, s.highThresh],
    ];
    pairs.push(...(lowFirst ? order : order.reverse()));
    pairs.push([
      p === "net.ipv6.ip6frag" ? "net.ipv6.ip6frag_time" : "net.netfilter.nf_conntrack_frag6_timeout",
      s.timeoutSeconds,
    ]);
  }
  for (const [key, value] of pairs) writeSysctl(key, value);
}

/**
 * Enters a new namespace (the caller's is kept in `parent`) set up for one
 * case: veth0/veth1, `locals` on veth0, default route out of veth0, ICMP rate
 * limits off.
 */
export function enterCaseNamespace(path: Frag6Path, locals: readonly Uint8Array[]): { leave(): void } {
  const parent = NetworkNamespace.current();
  const ns = NetworkNamespace.create();
  // Back in the area's namespace with no fd left on the case's, the case's namespace (and its queues) is gone.
  const leave = () => {
    parent.enter();
    parent.close();
    ns.close();
  };
  try {
    setupCase(path, locals);
    awaitLinksActive(CASE_LINKS);
    awaitLocalRoutes(locals);
  } catch (e) {
    leave();
    throw e;
  }
  return { leave };
}

/**
 * A case's namespace that does not keep the thread in it: set up, then left,
 * and entered again only for the synchronous moments that need it (within()).
 * Sockets stay in the namespace they were made in, so several cases can run
 * at once on one thread, each waiting (asynchronously) while others work.
 */
export class CaseNamespace {
  private constructor(
    private readonly ns: NetworkNamespace,
    private readonly parent: NetworkNamespace,
  ) {}

  /** Set up, then waits (yielding to other cases) for the local routes of `locals`. */
  static async create(path: Frag6Path, locals: readonly Uint8Array[]): Promise<CaseNamespace> {
    const parent = NetworkNamespace.current();
    const ns = NetworkNamespace.create();
    const c = new CaseNamespace(ns, parent);
    parent.enter();
    try {
      const links = c.within(() => {
        setupCase(path, locals);
        return linksActivated(CASE_LINKS);
      });
      await c.awaitRoutes(() => links.poll() && haveLocalRoutes(locals));
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * Makes `add` local addresses of veth0 and `remove` no longer (a reused
   * namespace swapping one case's destinations for the next's), then waits
   * (yielding) until each added one has its local route and no removed one
   * has.
   */
  async swapLocals(remove: readonly Uint8Array[], add: readonly Uint8Array[]): Promise<void> {
    this.within(() =>
      new Rtnetlink().apply([
        ...remove.map((a): NetOp => ({ kind: "addr-del", dev: "veth0", cidr: `${formatIPv6(a)}/128` })),
        ...add.map((a): NetOp => ({ kind: "addr-add", dev: "veth0", cidr: `${formatIPv6(a)}/128` })),
      ]),
    );
    await this.awaitRoutes(() => haveLocalRoutes(add) && noLocalRoutes(remove));
  }

  private async awaitRoutes(ready: () => boolean): Promise<void> {
    const deadline = Date.now() + LOCAL_ROUTE_TIMEOUT_MS;
    while (!this.within(ready)) {
      if (Date.now() > deadline) throw new Error(localRouteTimeout());
      await new Promise((done) => setTimeout(done, 1));
    }
  }

  /** Runs fn in this namespace (sockets, /proc/thread-self/net, /proc/sys/net read the thread's), then returns to the parent. */
  within<T>(fn: () => T): T {
    this.ns.enter();
    try {
      return fn();
    } finally {
      this.parent.enter();
    }
  }

  /** With no fd left on it, the namespace (and its queues) is gone. */
  close(): void {
    this.parent.close();
    this.ns.close();
  }
}

/**
 * Both ends of the pair transmit only once linkwatch has activated their
 * queues (sys/rtnetlink.ts linksActivated): until then the injector's frames
 * and the node's ICMP errors would be dropped unseen.
 */
const CASE_LINKS = ["veth0", "veth1"];

function caseSysctls(): void {
  writeSysctl("net.ipv6.auto_flowlabels", 0);
  writeSysctl("net.ipv6.conf.default.accept_dad", 0);
  writeSysctl("net.ipv6.conf.default.router_solicitations", 0);
  writeSysctl("net.ipv6.conf.default.accept_ra", 0);
  writeSysctl("net.ipv6.conf.default.mldv2_unsolicited_report_interval", 0);
  // Every error the reassembler would send must reach the capture (no icmpv6_xrlim_allow / icmp_global_allow limit).
  writeSysctl("net.ipv6.icmp.ratelimit", 0);
  writeSysctl("net.ipv4.icmp_msgs_per_sec", 1_000_000);
  writeSysctl("net.ipv4.icmp_msgs_burst", 1_000_000);
}

/** The case's test network, in the order `ip -batch` applied it before. */
function caseNetwork(locals: readonly Uint8Array[]): NetOp[] {
  return [
    { kind: "veth-add", name: "veth0", peer: "veth1", mac: VETH0_MAC, peerMac: VETH1_MAC },
    { kind: "link-up", dev: "lo" },
    { kind: "link-up", dev: "veth0" },
    { kind: "link-up", dev: "veth1" },
    ...locals.map((a): NetOp => ({ kind: "addr-add", dev: "veth0", cidr: `${formatIPv6(a)}/128` })),
    { kind: "route-add", dst: "::/0", via: GATEWAY_V6, dev: "veth0" },
    { kind: "neigh-add", dev: "veth0", ip: GATEWAY_V6, mac: GATEWAY_MAC },
    // veth's max_mtu on both ends: fragments of a 65535-byte datagram pass whole.
    { kind: "link-mtu", dev: "veth0", mtu: 65535 },
    { kind: "link-mtu", dev: "veth1", mtu: 65535 },
  ];
}

function setupCase(path: Frag6Path, locals: readonly Uint8Array[]): void {
  caseSysctls();
  new Rtnetlink().apply(caseNetwork(locals));
  if (path === "conntrack") applyConntrackRuleset();
}

/**
 * An address added with nodad gets its local route from addrconf's work
 * queue, after `ip addr add` returned; until then packets to it count as
 * Ip6InAddrErrors (measured under load). Wait until /proc/net/ipv6_route
 * lists a /128 route for each.
 */
const LOCAL_ROUTE_TIMEOUT_MS = 3000;
const localRouteTimeout = () => `the case's local addresses got no local route within ${LOCAL_ROUTE_TIMEOUT_MS} ms`;

function awaitLocalRoutes(locals: readonly Uint8Array[]): void {
  const deadline = Date.now() + LOCAL_ROUTE_TIMEOUT_MS;
  while (!haveLocalRoutes(locals)) {
    if (Date.now() > deadline) throw new Error(localRouteTimeout());
    sleepSync(1);
  }
}

/** The local routes (RTF_LOCAL, 0x80000000 in the flags column: not the /128 prefix route) of the calling thread's namespace. */
function localRoutes(): Set<string> {
  return new Set(
    readFileSync("/proc/thread-self/net/ipv6_route", "utf8")
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 10 && (parseInt(f[8]!, 16) & 0x80000000) !== 0)
      .map((f) => `${f[0]} ${f[1]}`),
  );
}

const routeKey = (a: Uint8Array) => `${Buffer.from(a).toString("hex")} 80`;

/** Whether each address has its local route in the calling thread's namespace. */
function haveLocalRoutes(locals: readonly Uint8Array[]): boolean {
  const local = localRoutes();
  return locals.every((a) => local.has(routeKey(a)));
}

/** Whether none of the addresses has a local route (is local) in the calling thread's namespace. */
function noLocalRoutes(addresses: readonly Uint8Array[]): boolean {
  if (addresses.length === 0) return true;
  const local = localRoutes();
  return addresses.every((a) => !local.has(routeKey(a)));
}

/** FRAG6 line of /proc/net/sockstat6 for the calling thread's namespace: the plain stack's queues and memory. */
export function plainFragState(): { inuse: number; memory: number } {
  const text = readFileSync("/proc/thread-self/net/sockstat6", "utf8");
  const m = /FRAG6: inuse (\d+) memory (\d+)/.exec(text);
  if (!m) throw new Error(`no FRAG6 line in /proc/net/sockstat6: ${text}`);
  return { inuse: Number(m[1]), memory: Number(m[2]) };
}
