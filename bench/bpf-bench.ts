// Classic BPF model speed: instructions per second of the reference
// interpreter and of the compiled form, on a long program (straight-line loads
// and arithmetic, as long as a socket accepts) and on a short branchy one.
import { compileProgram } from "../model/bpf/compile.js";
import { runProgram } from "../model/bpf/interpreter.js";
import { insn, type Insn } from "../model/bpf/opcodes.js";
import { validate } from "../model/bpf/validator.js";
import { measure } from "./measure.js";

/** A long program: loads, ALU and forward jumps never taken, ending in RET A. */
export function longProgram(n: number): Insn[] {
  const body: Insn[] = [];
  for (let i = 0; body.length < n - 1; i++) {
    // A carries through X, so no instruction's result is dead.
    switch (i % 6) {
      case 0:
        body.push(insn(0x30, 0, 0, i % 60));
        break; // ldb [k]
      case 1:
        body.push(insn(0x0c, 0, 0, 0));
        break; // add x
      case 2:
        body.push(insn(0x04, 0, 0, i));
        break; // add #k
      case 3:
        body.push(insn(0x54, 0, 0, 0xffffff));
        break; // and #0xffffff
      case 4:
        body.push(insn(0x07, 0, 0, 0));
        break; // tax
      default:
        body.push(insn(0x25, body.length + 2 < n - 1 ? 1 : 0, 0, 0xffffffff));
        break; // jgt #max: never taken
    }
  }
  return [...body, insn(0x16, 0, 0, 0)];
}

export function bpfBench(ms: number): string[] {
  const packet = Uint8Array.from({ length: 64 }, (_, i) => i * 7);
  const lines: string[] = [];
  for (const n of [4096, 64]) {
    const program = longProgram(n);
    if (validate(program, "socket").errno !== 0) throw new Error(`bench program of ${n} is not valid`);
    const steps = runProgram(program, packet, "socket").steps;
    const compiled = compileProgram(program, "socket");
    // Results feed a sink, so no run can be optimised away.
    let sink = 0;
    const interp = measure(() => {
      sink ^= runProgram(program, packet, "socket").returned;
    }, ms);
    const fast = measure(() => {
      sink ^= compiled(packet).returned;
    }, ms);
    if (sink === 0.5) lines.push("");
    const ips = (r: { perSecond: number }) => ((r.perSecond * steps) / 1e6).toFixed(1);
    lines.push(
      `bpf model, ${n}-instruction program: interpreter ${ips(interp)} M insns/s, compiled ${ips(fast)} M insns/s (${(fast.perSecond / interp.perSecond).toFixed(1)}x)`,
    );
  }
  return lines;
}
