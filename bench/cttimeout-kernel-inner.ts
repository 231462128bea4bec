// Inside a fresh namespace: the kernel's cttimeout messages per second through
// the kernel IUT's exchange (send, barrier, collect), beside the model's rate
// on the same messages in the same process.
import { assertPrivateNetns } from "../sys/namespace.js";
import { NetlinkExchange } from "../iut/linux/cttimeout/netlink-exchange.js";
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
