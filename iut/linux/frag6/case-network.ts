// A fresh network namespace per frag6 case, nested in the area's. Each run
// must start from an empty reassembly state, and the kernel offers no way to
// flush fragment queues: they leave only by completing, by expiring or with
// their namespace (fqdir_exit()). Setting high_thresh (and low_thresh) to 0
// does not evict them either: measured on 6.18, 4 queued fragments stayed
// (FRAG6 inuse 4, memory 4064) with both at 0 and after. So each case gets a new namespace with the
// test network, the case's destinations as local addresses, its sysctls and,
// for the conntrack path, a ct rule that turns nf_defrag_ipv6 on.
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { findExecutable } from "../../../sys/namespace.js";
import { NetworkNamespace } from "../../../sys/netns.js";
import { sleepSync } from "../../../sys/sleep.js";
import { writeSysctl } from "../../../sys/sysctl.js";
import { VETH0_MAC, VETH1_MAC, ipBatchLine, type NetOp } from "../../../sys/veth.js";
import { formatIPv6 } from "../../../sys/inet-addr.js";
import { GATEWAY_MAC, GATEWAY_V6 } from "../test-network.js";

export type Frag6Path = "plain" | "conntrack";

export interface CaseSysctls {
  /** Seconds (proc_dointvec_jiffies). */
  timeoutSeconds: number;
  highThresh: number;
  lowThresh: number;
}

/** nf_defrag_ipv6 registers its hook in a namespace once a ct expression of an ip6/inet table needs conntrack there. */
const CONNTRACK_RULESET = `table ip6 nfconform_frag6 {
  chain pre { type filter hook prerouting priority 0; policy accept; ct state new counter; }
}
`;

let nft: string | null | undefined;
let ip: string | null | undefined;

/**
 * Starts `file args` with `input` on stdin. The child is forked at once, in
 * the calling thread's network namespace; the promise settles when it exits.
 */
function startTool(what: string, file: string, args: string[], input: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = execFile(file, args, { timeout: 10_000 }, (error, _stdout, stderr) =>
      error ? fail(new Error(`${what} failed (${error.code ?? error.signal}): ${String(stderr).trim()}`)) : done(),
    );
    child.stdin?.end(input);
  });
}

function ipPath(): string {
  ip ??= findExecutable("ip");
  if (!ip) throw new Error("iproute2 `ip` not found (install iproute2)");
  return ip;
}

function nftPath(): string {
  nft ??= findExecutable("nft");
  if (!nft) throw new Error("the frag6 conntrack IUT needs nft (install nftables)");
  return nft;
}

/** One `ip -batch` run for the whole case network. */
function runIp(lines: readonly string[]): void {
  const r = spawnSync(ipPath(), ["-batch", "-"], { input: `${lines.join("\n")}\n`, encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip -batch failed (${r.status ?? r.signal}): ${r.stderr.trim()}`);
}

/** Runs `nft -f -` on `text` in the calling thread's namespace, to its end. */
export function applyRuleset(text: string): void {
  const r = spawnSync(nftPath(), ["-f", "-"], { input: text, encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`nft -f failed (${r.status ?? r.signal}): ${r.stderr.trim()}`);
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

  /** Set up, then waits (yielding) for the local routes of `locals`. */
  /** Set up without holding the thread: the tools run while other cases go on, then the local routes are awaited. */
  static async create(path: Frag6Path, locals: readonly Uint8Array[]): Promise<CaseNamespace> {
    const parent = NetworkNamespace.current();
    const ns = NetworkNamespace.create();
    const c = new CaseNamespace(ns, parent);
    parent.enter();
    try {
      await c.within(() => {
        caseSysctls();
        return startTool("ip -batch", ipPath(), ["-batch", "-"], `${caseIpBatch(locals).join("\n")}\n`);
      });
      if (path === "conntrack") await c.within(() => startTool("nft -f", nftPath(), ["-f", "-"], CONNTRACK_RULESET));
      const deadline = Date.now() + LOCAL_ROUTE_TIMEOUT_MS;
      while (!c.within(() => haveLocalRoutes(locals))) {
        if (Date.now() > deadline) throw new Error(localRouteTimeout());
        await new Promise((done) => setTimeout(done, 1));
      }
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
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

function caseIpBatch(locals: readonly Uint8Array[]): string[] {
  const ops: NetOp[] = [
    { kind: "veth-add", name: "veth0", peer: "veth1", mac: VETH0_MAC, peerMac: VETH1_MAC },
    { kind: "link-up", dev: "lo" },
    { kind: "link-up", dev: "veth0" },
    { kind: "link-up", dev: "veth1" },
    ...locals.map((a): NetOp => ({ kind: "addr-add", dev: "veth0", cidr: `${formatIPv6(a)}/128` })),
    { kind: "route-add", dst: "::/0", via: GATEWAY_V6, dev: "veth0" },
    { kind: "neigh-add", dev: "veth0", ip: GATEWAY_V6, mac: GATEWAY_MAC },
  ];
  // veth's max_mtu on both ends: fragments of a 65535-byte datagram pass whole.
  return [...ops.map(ipBatchLine), "link set dev veth0 mtu 65535", "link set dev veth1 mtu 65535"];
}

function setupCase(path: Frag6Path, locals: readonly Uint8Array[]): void {
  caseSysctls();
  runIp(caseIpBatch(locals));
  if (path === "conntrack") applyRuleset(CONNTRACK_RULESET);
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

/** Whether each address has its local route in the calling thread's namespace. */
function haveLocalRoutes(locals: readonly Uint8Array[]): boolean {
  const wanted = locals.map((a) => `${Buffer.from(a).toString("hex")} 80`);
  // RTF_LOCAL (0x80000000) in the flags column: the route that makes the address local, not the /128 prefix route.
  const local = new Set(
    readFileSync("/proc/thread-self/net/ipv6_route", "utf8")
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 10 && (parseInt(f[8]!, 16) & 0x80000000) !== 0)
      .map((f) => `${f[0]} ${f[1]}`),
  );
  return wanted.every((w) => local.has(w));
}

/** FRAG6 line of /proc/net/sockstat6 for the calling thread's namespace: the plain stack's queues and memory. */
export function plainFragState(): { inuse: number; memory: number } {
  const text = readFileSync("/proc/thread-self/net/sockstat6", "utf8");
  const m = /FRAG6: inuse (\d+) memory (\d+)/.exec(text);
  if (!m) throw new Error(`no FRAG6 line in /proc/net/sockstat6: ${text}`);
  return { inuse: Number(m[1]), memory: Number(m[2]) };
}
