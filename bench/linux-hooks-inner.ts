// Runs inside a private network namespace (bench/hooks-bench.ts puts it
// there): the hooks area on the kernel, driven in-process (no protocol pipe).
import type { HookFamily, HookName } from "../model/hooks/families.js";
import { hooksArea } from "../iut/linux/hooks/area.js";
import { aimOf } from "../iut/linux/hooks/chain-rules.js";
import { Probes, probePath } from "../iut/linux/hooks/probes.js";
import { HookChains } from "../iut/linux/hooks/registry.js";
import { readRegistration } from "../iut/ops/hooks.js";
import { waitReadable } from "../sys/libc.js";
import { NetlinkSocket } from "../sys/netlink-socket.js";
import { BatchReceiver } from "../sys/recvmmsg.js";
import { NETLINK_NETFILTER, NFNLGRP_NFTRACE } from "../wire/netlink/nfnetlink.js";
import { NftSession } from "../iut/linux/nft-session.js";
import { setupTestNetwork } from "../iut/linux/test-network.js";
import type { Params } from "../iut/protocol.js";
import { measure } from "./measure.js";

const ms = Number(process.env.NFCONFORM_BENCH_MS ?? 1500);
setupTestNetwork();
const session = new NftSession();
const area = hooksArea({ session });
const call = (op: string, params: Params) => area.handlers[op]!(params);
const seconds = (fn: () => void) => {
  const start = performance.now();
  fn();
  return (performance.now() - start) / 1000;
};

// Three chains on each list the probes reach, the middle one of priority 0.
const targets: { family: string; hook: string; device: string | null }[] = [];
for (const family of ["ipv4", "ipv6"])
  for (const hook of ["prerouting", "input", "forward", "output", "postrouting"])
    targets.push({ family, hook, device: null });
for (const hook of ["ingress", "egress"])
  for (const device of ["veth0", "veth1"]) targets.push({ family: "netdev", hook, device });
let n = 0;
for (const t of targets)
  for (const priority of [-10, 0, 10])
    call("hooks.register", { name: `h${n++}`, ...t, priority, verdict: "accept", device: t.device });
let next = 0;
const traversals = measure(() => void call("hooks.traverse", targets[next++ % targets.length]!), ms);
// The floor: the same probes through the same lists with none of our chains on them.
await area.reset();
const floor = measure(() => void call("hooks.traverse", targets[next++ % targets.length]!), ms);

// One list filled to the limit: registering, traversing it, the refusal, reset.
await area.reset();
const fill = seconds(() => {
  for (let i = 0; i < 1024; i++)
    call("hooks.register", {
      name: `f${i}`,
      family: "ipv4",
      hook: "input",
      priority: i % 7,
      verdict: "accept",
      device: null,
    });
});
const full = measure(() => void call("hooks.traverse", { family: "ipv4", hook: "input", device: null }), ms);
const refused = seconds(
  () =>
    void call("hooks.register", {
      name: "x",
      family: "ipv4",
      hook: "input",
      priority: 0,
      verdict: "accept",
      device: null,
    }),
);
const reset = seconds(() => void area.reset());

area.close();

// The kernel's own cost of the observation: the same probes through the same three
// chains a list, their nftrace events made and received (one recvmmsg a batch) but
// not decoded or attributed. Set up after the area is closed, so its trace socket
// no longer takes a copy of every event.
const chains = new HookChains(() => session);
let m = 0;
for (const t of targets)
  for (const priority of [-10, 0, 10])
    chains.register(readRegistration({ name: `b${m++}`, ...t, priority, verdict: "accept", device: t.device }));
const traceSocket = NetlinkSocket.open(NETLINK_NETFILTER, { groups: [NFNLGRP_NFTRACE], rcvbuf: 32 << 20 });
const receiver = new BatchReceiver(64, 8192);
const probes = new Probes();
let events = 0;
const drain = () => {
  for (;;) {
    const got = receiver.receive(traceSocket.fd).length;
    events += got;
    if (got < 64) return;
  }
};
const plans = targets.map((t) => ({
  path: probePath(t.family, t.hook as HookName, t.device)!,
  aim: aimOf(t.family as HookFamily, t.hook as HookName, t.device)!,
}));
let nonce = 0;
const bareTraverse = () => {
  const { path, aim } = plans[next++ % plans.length]!;
  drain();
  const n = 20000 + (nonce++ % 20000);
  const sent = probes.send(path, aim, n);
  if (sent.sent && !probes.runsInSend(path))
    while (!probes.arrived(path, aim, n)) waitReadable(probes.endPointFd(path, aim), 8000);
  drain();
};
for (let i = 0; i < 50; i++) bareTraverse();
events = 0;
const bare = measure(bareTraverse, ms);
const eventsEach = events / bare.iterations;
probes.close();
receiver.close();
traceSocket.close();
chains.reset();

// Per CPU-second of this process too: on the shared machine the wall rates measure the load as much as the code.
const cpu = (r: { perCpuSecond: number }) => `${r.perCpuSecond.toFixed(0)} per CPU-s`;
console.log(
  `kernel hooks.traverse:           ${traversals.perSecond.toFixed(0)} traversals/s, ${cpu(traversals)} (3 chains per list, ${targets.length} lists round robin)`,
);
console.log(
  `floor, the probes with no chain:  ${floor.perSecond.toFixed(0)} traversals/s, ${cpu(floor)}; traverse / floor: ${(traversals.perSecond / floor.perSecond).toFixed(2)} (CPU: ${(traversals.perCpuSecond / floor.perCpuSecond).toFixed(2)})`,
);
console.log(
  `floor, the chains' events unread: ${bare.perSecond.toFixed(0)} traversals/s, ${cpu(bare)} (${eventsEach.toFixed(1)} events each, received, not decoded); traverse / floor: ${(traversals.perSecond / bare.perSecond).toFixed(2)} (CPU: ${(traversals.perCpuSecond / bare.perCpuSecond).toFixed(2)})`,
);
console.log(`kernel traverse of 1024 chains:  ${full.perSecond.toFixed(0)} traversals/s`);
console.log(
  `kernel register x 1024 (fill):   ${(fill * 1000).toFixed(0)} ms (${((fill / 1024) * 1e6).toFixed(0)} us each)`,
);
console.log(`kernel 1025th register (E2BIG):  ${(refused * 1000).toFixed(1)} ms (an aborted nf_tables transaction)`);
console.log(`kernel reset of 1024 chains:     ${(reset * 1000).toFixed(0)} ms`);
session.close();
