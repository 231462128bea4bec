// Runs inside a private network namespace (bench/index.ts puts it
// there): kernel program runs per second through the kernel IUT's two attach
// points, beside the floor of the same sends with no filter (a bare AF_UNIX
// send-and-receive; a raw send with no rule).
import fc from "fast-check";
import { LinuxIut } from "../iut/linux/linux-iut.js";
import { insn } from "../model/bpf/opcodes.js";
import { ipv4Packet } from "../properties/bpf/packets.js";
import { FilterPair } from "../sys/socket-filter.js";
import { toHex } from "../wire/hex.js";
import { longProgram } from "./bpf-bench.js";
import { measure } from "./measure.js";

const ms = Number(process.env.NFCONFORM_BENCH_MS ?? 1500);
const iut = new LinuxIut();
const packets = fc.sample(ipv4Packet(100), { seed: 1, numRuns: 200 }).map(toHex);
const program = longProgram(64).map((i) => [...i]);
const batch = 50;
const lines: string[] = [];
const rates: number[] = [];
for (const attach of ["socket", "xt_bpf"] as const) {
  const { handle } = (await iut.call("bpf.load", { program, attach })) as { handle: string };
  let next = 0;
  const runs = measure(() => {
    const slice = packets.slice(next % 150, (next % 150) + batch);
    next += batch;
    void iut.call("bpf.run", { handle, packets: slice });
  }, ms);
  rates.push(runs.perSecond * batch);
  lines.push(
    `kernel bpf ${attach}: ${Math.round(runs.perSecond * batch)} program runs/s (64-instruction program, ${batch} packets per bpf.run)`,
  );
}
// Floor: the same datagrams through an AF_UNIX socketpair with an accept-all filter.
const pair = FilterPair.open();
pair.attach([insn(0x06, 0, 0, 0xffffffff)]);
const raw = packets.map((h) => Uint8Array.from(Buffer.from(h, "hex")));
let i = 0;
const floor = measure(() => {
  pair.run(raw[i++ % raw.length]!);
}, ms);
pair.close();
lines.push(
  `floor: ${Math.round(floor.perSecond)} bare AF_UNIX send-and-receive round trips/s; socket / floor: ${(rates[0]! / floor.perSecond).toFixed(2)}, xt_bpf / floor: ${(rates[1]! / floor.perSecond).toFixed(2)}`,
);
await iut.close();
console.log(lines.join("\n"));
