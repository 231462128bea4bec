// Inside a fresh namespace: the kernel's cttimeout messages per second through
// the kernel IUT's exchange, beside the model's rate on the same messages in
// the same process; then whole cases per second through the kernel IUT (reset
// and every step, as a property runs them, the protocol pipe left out), where
// their time goes by step kind, and two floors:
// - the first floor (kept so that ratios compare with earlier runs): a bare
//   DEFAULT_GET round trip per step, and per detach an attach-detach-release
//   cycle through the IUT; no reset.
// - the kernel's floor: what the kernel itself costs for the case's steps,
//   each done bare (no IUT): a DEFAULT_GET round trip per netlink message, an
//   accepted attach's nf_tables commit, a refused attach's aborted
//   transaction, a detach's commit, and a release seen (an RCU grace period)
//   where a later GET or DELETE could see a detached user's reference; no
//   reset. The first floor prices every attach at a DEFAULT_GET, but a refused
//   one costs the kernel an RCU grace period: nf_tables' abort path
//   (__nf_tables_abort() in net/netfilter/nf_tables_api.c) calls
//   synchronize_rcu() before it frees the transaction, in the sender's
//   sendmsg(), whatever failed; and it prices every detach at a grace period,
//   though a release nothing looks at costs the caller nothing (it runs in
//   nf_tables' destroy work). bench/issue14-bench.md, "cttimeout, 2026-12-05 13:00".
import fc from "fast-check";
import { LinuxIut } from "../iut/linux/linux-iut.js";
import { Control } from "../iut/linux/cttimeout/control.js";
import { NetlinkExchange } from "../iut/linux/cttimeout/netlink-exchange.js";
import { LinuxCttimeoutUsers } from "../iut/linux/cttimeout/users.js";
import { messageHex, sequenceInput, usersScenario, wellFormedNew } from "../properties/cttimeout/generators.js";
import { DUMP_REQUEST } from "../properties/cttimeout/observe.js";
import { iutRun } from "../properties/cttimeout/iut-calls.js";
import { assertPrivateNetns } from "../sys/namespace.js";
import { NetlinkSocket } from "../sys/netlink-socket.js";
import { sleepSync } from "../sys/sleep.js";
import { fromHex } from "../wire/hex.js";
import { attrBe16, attrU8 } from "../wire/netlink/attributes.js";
import { utf8 } from "../wire/netlink/bytes.js";
import {
  CTA_TIMEOUT_L3PROTO,
  CTA_TIMEOUT_L4PROTO,
  IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  encodeCttimeoutRequest,
} from "../wire/netlink/cttimeout.js";
import { NLM_F_REQUEST } from "../wire/netlink/message.js";
import { NETLINK_NETFILTER } from "../wire/netlink/nfnetlink.js";
import { benchMessages, cttimeoutModelBench } from "./cttimeout-bench.js";
import { measure } from "./measure.js";

assertPrivateNetns("the cttimeout benchmark");
const messages = benchMessages();
const link = new NetlinkExchange();
const started = process.hrtime.bigint();
let sent = 0;
while (Number(process.hrtime.bigint() - started) / 1e6 < 1500) {
  for (const m of messages) link.exchange(m);
  sent += messages.length;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
link.close();
console.log(
  `cttimeout kernel: ${Math.round(sent / seconds).toLocaleString("en")} messages/s (each with its barrier), beside ${cttimeoutModelBench(1500)[0]!.replace("cttimeout model: ", "the model's ")} in the same run`,
);

// Cases as the properties draw them (sequences and users scenarios), run whole; each step timed by its kind.
const CASES = Number(process.env.NFCONFORM_BENCH_CTTIMEOUT_CASES ?? 200);
const cases = fc.sample(fc.oneof(sequenceInput(), usersScenario()), { seed: 1, numRuns: CASES });
const iut = new LinuxIut();
let declined = 0;
let steps = 0;
const kinds = ["reset", "message", "accepted attach", "refused attach", "detach"] as const;
type Kind = (typeof kinds)[number];
const spent = new Map<Kind, { n: number; ms: number }>(kinds.map((k) => [k, { n: 0, ms: 0 }]));
const count = (kind: Kind, ms: number, n = 1) => {
  const s = spent.get(kind)!;
  s.n += n;
  s.ms += ms;
};
let releasesSeen = 0;
const caseStart = performance.now();
for (const c of cases) {
  let at = performance.now();
  await iut.call("reset", {});
  count("reset", performance.now() - at);
  const took: number[] = [];
  at = performance.now();
  try {
    const replies = await iutRun(iut, c.commands, async () => {
      took.push(performance.now() - at);
      at = performance.now();
    });
    steps += c.commands.length;
    let releasing = false;
    c.commands.forEach((x, i) => {
      const r = replies[i]!;
      if (x.op === "netlink") {
        count("message", took[i]!, x.messages.length);
        if (releasing && x.messages.some(seesReferences)) {
          releasesSeen++;
          releasing = false;
        }
      } else if (x.op === "attach")
        count("errno" in r && r.errno === 0 ? "accepted attach" : "refused attach", took[i]!);
      else if (!("skipped" in r)) {
        count("detach", took[i]!); // one whose attach failed is not sent
        releasing = true;
      }
    });
  } catch {
    declined++; // a message the kernel IUT does not send (another subsystem's)
  }
}
const caseMs = performance.now() - caseStart;
const caseRate = cases.length / (caseMs / 1000);

// The first floor's release: a user attached, detached and its release seen, through the same IUT.
const policy = messageHex(wellFormedNew("floor", 2, 6, [{ type: 3, value: 100, size: 4 }], true), 1);
await iut.call("reset", {});
await iutRun(iut, [{ op: "netlink", messages: [policy] }]);
const RELEASES = 30;
const releaseStart = performance.now();
for (let i = 0; i < RELEASES; i++)
  await iutRun(iut, [
    { op: "attach", name: "floor", l3proto: 2, l4proto: 6 },
    { op: "detach", attach: 0 },
    { op: "netlink", messages: [DUMP_REQUEST] },
  ]);
const releaseSeconds = (performance.now() - releaseStart) / 1000 / RELEASES;
await iut.close();

const floorSocket = NetlinkSocket.open(NETLINK_NETFILTER);
const get = encodeCttimeoutRequest({
  msg: IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  flags: NLM_F_REQUEST,
  seq: 1,
  attributes: [attrBe16(CTA_TIMEOUT_L3PROTO, 2), attrU8(CTA_TIMEOUT_L4PROTO, 6)],
});
const roundTrips = measure(() => {
  floorSocket.send(get);
  if (!floorSocket.recv(1000)) throw new Error("floor: DEFAULT_GET unanswered");
}, 1000);
floorSocket.close();

// The kernel's own step costs, bare in this namespace: the users' CT rules are one nf_tables batch each (users.ts).
const bare = bareUserCosts();

const judged = cases.length - declined;
const share = (k: Kind) => spent.get(k)!;
const firstFloor = (steps / roundTrips.perSecond + share("detach").n * releaseSeconds) / judged;
const kernelFloor =
  (share("message").n / roundTrips.perSecond +
    (share("accepted attach").n * bare.acceptMs +
      share("refused attach").n * bare.refuseMs +
      share("detach").n * bare.detachMs +
      releasesSeen * bare.releaseMs) /
      1000) /
  judged;
const perCase = (k: Kind) => (share(k).n / judged).toFixed(2);
console.log(
  `kernel cttimeout cases: ${caseRate.toFixed(0)} cases/s (${cases.length} generated, ${declined} declined, ${(steps / judged).toFixed(1)} steps each: ${perCase("message")} messages, ${perCase("accepted attach")} accepted and ${perCase("refused attach")} refused attaches, ${perCase("detach")} detaches, ${(releasesSeen / judged).toFixed(2)} releases seen; reset included)`,
);
console.log(
  `  where a case's ${(caseMs / cases.length).toFixed(2)} ms go: ${kinds.map((k) => `${k} ${(share(k).ms / cases.length).toFixed(2)} (${share(k).n ? (share(k).ms / share(k).n).toFixed(2) : "-"} each)`).join(", ")} ms`,
);
console.log(
  `  first floor ${(1 / firstFloor).toFixed(0)}/s (a bare DEFAULT_GET round trip per step, ${roundTrips.perSecond.toFixed(0)}/s, and an attach-detach-release cycle per detach, ${(releaseSeconds * 1000).toFixed(1)} ms) = ${(caseRate * firstFloor).toFixed(2)} of it`,
);
console.log(
  `  kernel's floor ${(1 / kernelFloor).toFixed(0)}/s (bare: a DEFAULT_GET round trip per message, ${bare.acceptMs.toFixed(2)} ms an accepted attach, ${bare.refuseMs.toFixed(1)} ms a refused one, ${bare.detachMs.toFixed(2)} ms a detach, ${bare.releaseMs.toFixed(1)} ms a release seen) = ${(caseRate * kernelFloor).toFixed(2)} of it`,
);

/** Whether a hex datagram starts with a cttimeout GET or DELETE, whose replies show or depend on USE. */
function seesReferences(hex: string): boolean {
  const d = fromHex(hex);
  return d.length >= 16 && d[5] === 8 && (d[4] === 1 || d[4] === 2);
}

/**
 * Means over 100 rounds (to compare with the IUT's means; a grace period varies 8-20 ms): an accepted attach; its
 * detach (the rule's delete committed); the wait until the policy's USE falls (the destroy work's grace period); a
 * refused attach.
 */
function bareUserCosts(): { acceptMs: number; refuseMs: number; detachMs: number; releaseMs: number } {
  const users = new LinuxCttimeoutUsers();
  const control = new Control();
  const newPolicy = new NetlinkExchange();
  newPolicy.exchange(fromHex(policy));
  newPolicy.close();
  const name = utf8("floor");
  const user = { name, l3proto: 2, l4proto: 6 };
  const ms = { accept: 0, refuse: 0, detach: 0, release: 0 };
  const timed = (what: keyof typeof ms, f: () => void) => {
    const t = performance.now();
    f();
    ms[what] += performance.now() - t;
  };
  const ROUNDS = 100;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      let ref: string | undefined;
      timed("accept", () => {
        ref = users.attach(user).ref;
      });
      if (ref === undefined) throw new Error("floor: the bare attach was refused");
      const use = control.use(name)!;
      timed("detach", () => users.detach(ref!));
      timed("release", () => {
        while (control.use(name) !== use - 1) sleepSync(1);
      });
      timed("refuse", () => {
        if (users.attach({ ...user, name: utf8("none") }).errno === 0) throw new Error("floor: an attach to no policy");
      });
    }
  } finally {
    users.close();
    control.close();
  }
  return {
    acceptMs: ms.accept / ROUNDS,
    refuseMs: ms.refuse / ROUNDS,
    detachMs: ms.detach / ROUNDS,
    releaseMs: ms.release / ROUNDS,
  };
}
