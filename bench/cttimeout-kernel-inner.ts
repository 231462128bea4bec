// Inside a fresh namespace: the kernel's cttimeout messages per second through
// the kernel IUT's exchange (send, barrier, collect), beside the model's rate
// on the same messages in the same process; then whole cases per second
// through the kernel IUT (reset and every step, as a property runs them, the
// protocol pipe left out) beside their floor: one bare request-and-reply per
// step (DEFAULT_GET, the cheapest request the kernel answers), no reset, no
// wait for a release.
import fc from "fast-check";
import { LinuxIut } from "../iut/linux/linux-iut.js";
import { NetlinkExchange } from "../iut/linux/cttimeout/netlink-exchange.js";
import { sequenceInput, usersScenario } from "../properties/cttimeout/generators.js";
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
const caseStart = performance.now();
for (const c of cases) {
  await iut.call("reset", {});
  try {
    await iutRun(iut, c.commands);
    steps += c.commands.length;
  } catch {
    declined++; // a message the kernel IUT does not send (another subsystem's)
  }
}
const caseRate = cases.length / ((performance.now() - caseStart) / 1000);
await iut.close();

const floorSocket = NetlinkSocket.open(NETLINK_NETFILTER);
const get = encodeCttimeoutRequest({
  msg: IPCTNL_MSG_TIMEOUT_DEFAULT_GET,
  flags: NLM_F_REQUEST,
  seq: 1,
  attributes: [attrBe16(CTA_TIMEOUT_L3PROTO, 2), attrU8(CTA_TIMEOUT_L4PROTO, 6)],
});
const stepsPerCase = steps / (cases.length - declined);
const floorStart = performance.now();
const floorCases = 200;
for (let i = 0; i < Math.round(floorCases * stepsPerCase); i++) {
  floorSocket.send(get);
  if (!floorSocket.recv(1000)) throw new Error("floor: DEFAULT_GET unanswered");
}
const floorRate = floorCases / ((performance.now() - floorStart) / 1000);
floorSocket.close();
console.log(
  `kernel cttimeout cases: ${caseRate.toFixed(0)} cases/s (${cases.length} generated, ${declined} declined, ${stepsPerCase.toFixed(1)} steps each, reset included) beside a floor of ${floorRate.toFixed(0)}/s (a bare DEFAULT_GET round trip per step) = ${(caseRate / floorRate).toFixed(2)} of the floor`,
);
