// Runs inside a private network namespace (bench/index.ts puts
// it there): kernel checksum cases per second beside the floor, one raw
// send-and-capture round trip, measured side by side in one run.
import fc from "fast-check";
import { LinuxIut } from "../iut/linux/linux-iut.js";
import { EgressCapture } from "../iut/linux/egress-capture.js";
import { RawSender } from "../iut/linux/checksum/raw-sender.js";
import { transportLayout } from "../model/checksum/packet-checksum.js";
import { fillInput, type FillInput } from "../properties/checksum/generators.js";
import { measure } from "./measure.js";

const ms = Number(process.env.NFCONFORM_BENCH_MS ?? 1500);
const iut = new LinuxIut();
// Cases the kernel can take (the others are declined before any syscall).
const cases: FillInput[] = [];
for (const input of fc.sample(fillInput(), { seed: 1, numRuns: 3000 })) {
  try {
    await iut.call("checksum.fill", { ...input });
    cases.push(input);
  } catch {
    // declined
  }
  if (cases.length === 500) break;
}
let next = 0;
const fills = measure(() => {
  void iut.call("checksum.fill", { ...cases[next++ % cases.length]! });
}, ms);

// The floor: the same packets sent whole through a raw socket and captured, nothing else.
const capture = new EgressCapture();
const raw = new RawSender();
const packets = cases.map((c) => Uint8Array.from(Buffer.from(c.packet, "hex")));
const layouts = packets.map((p) => transportLayout(p));
let i = 0;
const floor = measure(() => {
  const k = i++ % packets.length;
  raw.send(packets[k]!, layouts[k]!);
  if (!capture.segmentOf(layouts[k]!, packets[k]!, 1000)) throw new Error("floor: packet not captured");
}, ms);

const checkentry = measure(() => {
  void iut.call("checksum.checkentry", {
    family: "ipv4",
    table: "mangle",
    hook: "postrouting",
    operation: 1,
    proto: 17,
    invertProto: false,
  });
}, ms);
const refused = measure(() => {
  void iut.call("checksum.checkentry", {
    family: "ipv4",
    table: "filter",
    hook: "output",
    operation: 1,
    proto: 17,
    invertProto: false,
  });
}, ms);

console.log(
  `kernel checksum.fill:            ${fills.perSecond.toFixed(0)} cases/s (${cases.length} realizable packets, all paths)`,
);
console.log(`floor, raw send + capture:       ${floor.perSecond.toFixed(0)} round trips/s`);
console.log(`fill / floor:                    ${(fills.perSecond / floor.perSecond).toFixed(2)}`);
console.log(`kernel checkentry, accepted:     ${checkentry.perSecond.toFixed(0)} cases/s`);
console.log(
  `kernel checkentry, refused:      ${refused.perSecond.toFixed(0)} cases/s (an aborted nf_tables transaction each)`,
);
capture.close();
raw.close();
await iut.close();
