// Compiles a validated program to a JavaScript function once, to run it on
// many packets: the benchmark's fast path. The interpreter stays the
// reference; test/model/bpf-compile.test.ts checks that they agree.
// Jumps only go forward, so the code is a loop around a switch whose cases are
// the jump targets: straight-line code runs between them, and a jump is
// `pc = target; continue`.
import { CONTEXT_RULES } from "./contexts.js";
import { loadPacket, SIZE_BYTES, type RunEnvironment, type RunResult } from "./interpreter.js";
import { nlattr, nlattrNest } from "./nlattr.js";
import {
  ancillaryOf,
  BPF_A,
  BPF_ABS,
  BPF_ADD,
  BPF_ALU,
  BPF_AND,
  BPF_DIV,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JMP,
  BPF_JSET,
  BPF_LD,
  BPF_LDX,
  BPF_LEN,
  BPF_LSH,
  BPF_MEM,
  BPF_MISC,
  BPF_MOD,
  BPF_MSH,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RET,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_SUB,
  BPF_TAX,
  BPF_X,
  BPF_XOR,
  bpfClass,
  bpfMode,
  bpfOp,
  bpfRval,
  bpfSize,
  bpfSrc,
  type Program,
} from "./opcodes.js";
import type { Attach } from "./validator.js";

export type CompiledProgram = (packet: Uint8Array, env?: RunEnvironment) => RunResult;

/** The helpers generated code calls for the rare paths (negative offsets, ancillary loads). */
interface Helpers {
  load(p: Uint8Array, offset: number, size: number, env: RunEnvironment, state: { det: boolean }): number;
  nlattr: typeof nlattr;
  nlattrNest: typeof nlattrNest;
  anyAncillary(name: string, env: RunEnvironment): number;
}

function targetsOf(program: Program): Set<number> {
  const targets = new Set<number>([0]);
  program.forEach(([code, jt, jf, k], pc) => {
    if (bpfClass(code) !== BPF_JMP) return;
    if (bpfOp(code) === BPF_JA) targets.add(pc + 1 + k);
    else {
      targets.add(pc + 1 + jt);
      targets.add(pc + 1 + jf);
    }
  });
  return targets;
}

const FAIL = "return 0;"; // a failed load ends the converted program with 0 (convert_bpf_ld_abs)

function loadExpression(size: number, k: number): string {
  if (size === 1) return `p[${k}]`;
  if (size === 2) return `((p[${k}] << 8) | p[${k + 1}])`;
  return `(((p[${k}] << 24) | (p[${k + 1}] << 16) | (p[${k + 2}] << 8) | p[${k + 3}]) >>> 0)`;
}

function statement(program: Program, pc: number, attach: Attach): string {
  const [code, jt, jf, k] = program[pc]!;
  const rules = CONTEXT_RULES[attach];
  const src = bpfSrc(code) === BPF_X ? "x" : String(k);
  const jump = (target: number) => (target === pc + 1 ? "" : `{ pc = ${target}; continue; }`);
  switch (bpfClass(code)) {
    case BPF_RET:
      return `return ${bpfRval(code) === BPF_A ? "a" : k};`;
    case BPF_LD: {
      const mode = bpfMode(code);
      if (mode === BPF_IMM) return `a = ${k};`;
      if (mode === BPF_MEM) return `a = m${k};`;
      if (mode === BPF_LEN) return "a = len;";
      const size = SIZE_BYTES[bpfSize(code)]!;
      const anc = mode === BPF_ABS ? ancillaryOf(k) : undefined;
      if (anc !== undefined) {
        const b = rules.ancillary[anc];
        switch (b.kind) {
          case "value":
            return `a = ${b.value};`;
          case "ethertype":
            return "a = (p[0] >> 4) === 6 ? 0x86dd : 0x0800;";
          case "exit-a":
            return "return a;";
          case "any":
            return `st.det = false; a = h.anyAncillary(${JSON.stringify(anc)}, env);`;
          case "computed":
            if (anc === "alu_xor_x") return "a = (a ^ x) >>> 0;";
            return `a = h.${anc === "nlattr" ? "nlattr" : "nlattrNest"}(p, a, x);`;
        }
      }
      if (mode === BPF_ABS && (k | 0) >= 0) return `if (${k + size} > len) ${FAIL} a = ${loadExpression(size, k)};`;
      const offset = mode === BPF_IND ? `((x + ${k}) | 0)` : String(k | 0);
      return `t = h.load(p, ${offset}, ${size}, env, st); if (t < 0) ${FAIL} a = t;`;
    }
    case BPF_LDX: {
      const mode = bpfMode(code);
      if (mode === BPF_IMM) return `x = ${k};`;
      if (mode === BPF_MEM) return `x = m${k};`;
      if (mode === BPF_LEN) return "x = len;";
      if (mode === BPF_MSH) {
        if ((k | 0) >= 0) return `if (${k + 1} > len) ${FAIL} x = (p[${k}] & 0xf) << 2;`;
        return `t = h.load(p, ${k | 0}, 1, env, st); if (t < 0) ${FAIL} x = (t & 0xf) << 2;`;
      }
      return "";
    }
    case BPF_ST:
      return `m${k} = a;`;
    case BPF_STX:
      return `m${k} = x;`;
    case BPF_ALU:
      switch (bpfOp(code)) {
        case BPF_ADD:
          return `a = (a + ${src}) >>> 0;`;
        case BPF_SUB:
          return `a = (a - ${src}) >>> 0;`;
        case BPF_MUL:
          return `a = Math.imul(a, ${src}) >>> 0;`;
        case BPF_DIV:
          return `${src === "x" ? `if (x === 0) return 0; ` : ""}a = Math.floor(a / ${src}) >>> 0;`;
        case BPF_MOD:
          return `${src === "x" ? `if (x === 0) return 0; ` : ""}a = (a % ${src}) >>> 0;`;
        case BPF_AND:
          return `a = (a & ${src}) >>> 0;`;
        case BPF_OR:
          return `a = (a | ${src}) >>> 0;`;
        case BPF_XOR:
          return `a = (a ^ ${src}) >>> 0;`;
        case BPF_LSH:
          return `a = (a << (${src} & 31)) >>> 0;`;
        case BPF_RSH:
          return `a = a >>> (${src} & 31);`;
        case BPF_NEG:
          return "a = (-a) >>> 0;";
      }
      return "";
    case BPF_JMP: {
      if (bpfOp(code) === BPF_JA) return jump(pc + 1 + k);
      const cond =
        bpfOp(code) === BPF_JEQ
          ? `a === ${src}`
          : bpfOp(code) === BPF_JGT
            ? `a > ${src}`
            : bpfOp(code) === BPF_JGE
              ? `a >= ${src}`
              : `(a & ${src}) !== 0`;
      if (bpfOp(code) !== BPF_JSET && bpfOp(code) !== BPF_JEQ && bpfOp(code) !== BPF_JGT && bpfOp(code) !== BPF_JGE)
        return "";
      const t = pc + 1 + jt;
      const f = pc + 1 + jf;
      if (t === f) return jump(t);
      return `if (${cond}) ${jump(t) || "{}"} else ${jump(f) || "{}"}`;
    }
    case BPF_MISC:
      return (code & 0xf8) === BPF_TAX ? "x = a;" : "a = x;";
  }
  return "";
}

/** JavaScript source of the program's body (exported for the tests' error messages). */
export function compiledSource(program: Program, attach: Attach): string {
  const targets = targetsOf(program);
  const used = new Set<number>();
  for (const [code, , , k] of program) {
    if (code === BPF_ST || code === BPF_STX || code === (BPF_LD | BPF_MEM) || code === (BPF_LDX | BPF_MEM)) used.add(k);
  }
  const lines = [
    "let a = 0, x = 0, t = 0, pc = 0;",
    ...[...used].map((k) => `let m${k} = 0;`),
    "const len = p.length;",
    "for (;;) switch (pc) {",
  ];
  program.forEach((_, pc) => {
    if (targets.has(pc)) lines.push(`case ${pc}:`);
    lines.push(`  ${statement(program, pc, attach)}`);
  });
  lines.push("default: throw new Error('pc ' + pc);", "}");
  return lines.join("\n");
}

/** Compiles an accepted program for one context. */
export function compileProgram(program: Program, attach: Attach): CompiledProgram {
  const rules = CONTEXT_RULES[attach];
  const helpers: Helpers = {
    load(p, offset, size, env, st) {
      const loaded = loadPacket(p, offset, size, rules);
      if ("fail" in loaded) return -1;
      if ("any" in loaded) {
        st.det = false;
        return (env.anyLinkLayer?.(offset, size) ?? 0) >>> 0;
      }
      return loaded.value;
    },
    nlattr,
    nlattrNest,
    anyAncillary: (name, env) => (env.anyAncillary?.(name as never) ?? 0) >>> 0,
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const body = new Function(
    "h",
    `"use strict"; return function run(p, env, st) {\n${compiledSource(program, attach)}\n};`,
  )(helpers) as (p: Uint8Array, env: RunEnvironment, st: { det: boolean }) => number;
  return (packet, env = {}) => {
    const st = { det: true };
    const r = body(packet, env, st);
    return { returned: r >>> 0, deterministic: st.det, steps: -1 };
  };
}
