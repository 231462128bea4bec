// Inside a fresh namespace: the kernel's cttimeout messages per second through
// the kernel IUT's exchange (send, barrier, collect), beside the model's rate
// on the same messages in the same process; then whole cases per second
// through the kernel IUT (reset and every step, as a property runs them, the
// protocol pipe left out) beside their floor: one bare request-and-reply per
// step (DEFAULT_GET, the cheapest request the kernel answers) and, per
// detach, one attach-detach cycle with its release seen (the RCU grace period
// nf_tables makes a release wait for); no reset.
import fc from "fast-check";
import { LinuxIut } from "../iut/linux/linux-iut.js";
import { NetlinkExchange } from "../iut/linux/cttimeout/netlink-exchange.js";
import { messageHex, sequenceInput, usersScenario, wellFormedNew } from "../properties/cttimeout/generators.js";
import { DUMP_REQUEST } from "../properties/cttimeout/observe.js";
import { iutRun } from "../properties/cttimeout/iut-calls.js";
import { assertPrivateNetns } from "../sys/namespace.js";
import { NetlinkSocket } from "../sys/netlink-socket.js";
import { attrBe16, attrU8 } from "../wire/netlink/attributes.js";
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

// Cases as the properties draw them (sequences and users scenarios), run whole.
const CASES = Number(process.env.NFCONFORM_BENCH_CTTIMEOUT_CASES ?? 200);
const cases = fc.sample(fc.oneof(sequenceInput(), usersScenario()), { seed: 1, numRuns: CASES });
const iut = new LinuxIut();
let declined = 0;
let steps = 0;
let detaches = 0;
const caseStart = performance.now();
for (const c of cases) {
  await iut.call("reset", {});
  try {
    const replies = await iutRun(iut, c.commands);
    steps += c.commands.length;
    // Detaches sent (one whose attach failed is skipped), each releasing a reference or not.
    detaches += c.commands.filter((x, i) => x.op === "detach" && !("skipped" in replies[i]!)).length;
  } catch {
    declined++; // a message the kernel IUT does not send (another subsystem's)
  }
}
const caseRate = cases.length / ((performance.now() - caseStart) / 1000);

// The floor's release: a user attached, detached and its release seen, through the same IUT.
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
const judged = cases.length - declined;
const floorSeconds = (steps / roundTrips.perSecond + detaches * releaseSeconds) / judged;
console.log(
  `kernel cttimeout cases: ${caseRate.toFixed(0)} cases/s (${cases.length} generated, ${declined} declined, ${(steps / judged).toFixed(1)} steps and ${(detaches / judged).toFixed(1)} detaches each, reset included) beside a floor of ${(1 / floorSeconds).toFixed(0)}/s (a bare DEFAULT_GET round trip per step, ${roundTrips.perSecond.toFixed(0)}/s, and an attach-detach-release cycle per detach, ${(releaseSeconds * 1000).toFixed(1)} ms) = ${(caseRate * floorSeconds).toFixed(2)} of the floor`,
);
