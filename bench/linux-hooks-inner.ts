// Runs inside a private network namespace (bench/hooks-bench.ts puts it
// there): the hooks area on the kernel, driven in-process (no protocol pipe).
import { hooksArea } from "../iut/linux/hooks/area.js";
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

console.log(
  `kernel hooks.traverse:           ${traversals.perSecond.toFixed(0)} traversals/s (3 chains per list, ${targets.length} lists round robin)`,
);
console.log(
  `floor, the probes with no chain:  ${floor.perSecond.toFixed(0)} traversals/s; traverse / floor: ${(traversals.perSecond / floor.perSecond).toFixed(2)}`,
);
console.log(`kernel traverse of 1024 chains:  ${full.perSecond.toFixed(0)} traversals/s`);
console.log(
  `kernel register x 1024 (fill):   ${(fill * 1000).toFixed(0)} ms (${((fill / 1024) * 1e6).toFixed(0)} us each)`,
);
console.log(`kernel 1025th register (E2BIG):  ${(refused * 1000).toFixed(1)} ms (an aborted nf_tables transaction)`);
console.log(`kernel reset of 1024 chains:     ${(reset * 1000).toFixed(0)} ms`);
area.close();
session.close();
