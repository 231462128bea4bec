// Runs inside a private network namespace (bench/index.ts puts it
// there): kernel program runs per second through the kernel IUT's two attach
// points, beside the floor of the same sends with no filter (a bare AF_UNIX
// send-and-receive; a raw send with no rule).
import fc from "fast-check";
import { LinuxIut } from "../iut/linux/linux-iut.js";
import { insn } from "../model/bpf/opcodes.js";
import { ipv4Packet } from "../properties/bpf/packets.js";
import { sockaddrOfBytes } from "../sys/inet-addr.js";
import { sendtoErrno } from "../sys/libc.js";
import { RawSocket } from "../sys/raw-socket.js";
import { FilterPair } from "../sys/socket-filter.js";
import { IPPROTO_RAW } from "../wire/protocol-numbers.js";
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
/** Program runs per CPU-second of this process (the IUT runs in it): wall rates on the shared machine measure the load too. */
const cpuRates: number[] = [];
for (const attach of ["socket", "xt_bpf"] as const) {
  const { handle } = (await iut.call("bpf.load", { program, attach })) as { handle: string };
  let next = 0;
  const runs = measure(() => {
    const slice = packets.slice(next % 150, (next % 150) + batch);
    next += batch;
    void iut.call("bpf.run", { handle, packets: slice });
  }, ms);
  rates.push(runs.perSecond * batch);
  cpuRates.push(runs.perCpuSecond * batch);
  lines.push(
    `kernel bpf ${attach}: ${Math.round(runs.perSecond * batch)} program runs/s, ${Math.round(runs.perCpuSecond * batch)} per CPU-s (64-instruction program, ${batch} packets per bpf.run)`,
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
  `floor: ${Math.round(floor.perSecond)} bare AF_UNIX send-and-receive round trips/s, ${Math.round(floor.perCpuSecond)} per CPU-s; socket / floor: ${(rates[0]! / floor.perSecond).toFixed(2)}, xt_bpf / floor: ${(rates[1]! / floor.perSecond).toFixed(2)} (CPU: ${(cpuRates[0]! / floor.perCpuSecond).toFixed(2)}, ${(cpuRates[1]! / floor.perCpuSecond).toFixed(2)})`,
);
// xt_bpf's own floor: what the kernel costs for its observation with no program run, the
// same packets sent whole from a raw socket in the area's namespace (its routes: out of
// veth0, dropped by veth1 as another host's) with a priority no rule matches.
iut.enterArea("bpf");
const rawSockets = { 4: RawSocket.open(4, IPPROTO_RAW), 6: RawSocket.open(6, IPPROTO_RAW) };
const sockaddrs = raw.map((p) => sockaddrOfBytes(p[0]! >> 4 === 4 ? p.subarray(16, 20) : p.subarray(24, 40)));
let j = 0;
const rawFloor = measure(() => {
  const at = j++ % raw.length;
  const p = raw[at]!;
  const sent = sendtoErrno(rawSockets[(p[0]! >> 4) as 4 | 6].fd, p, sockaddrs[at]!);
  if (sent !== p.length) throw new Error(`the raw floor's send returned ${sent}`);
}, ms);
rawSockets[4].close();
rawSockets[6].close();
lines.push(
  `floor, xt_bpf's: ${Math.round(rawFloor.perSecond)} raw sends/s of the same packets, no rule matching, ${Math.round(rawFloor.perCpuSecond)} per CPU-s; xt_bpf / raw floor: ${(rates[1]! / rawFloor.perSecond).toFixed(2)} (CPU: ${(cpuRates[1]! / rawFloor.perCpuSecond).toFixed(2)})`,
);
await iut.close();
console.log(lines.join("\n"));
