// Program formats: iptables' `--bytecode` text (extensions/libxt_bpf.c:
// "N,code jt jf k,..." in decimal), `tcpdump -ddd` output (the count, then one
// "code jt jf k" line each), the binary struct sock_filter array (host order,
// little endian), and a disassembly in the style of `tcpdump -d`
// (libpcap bpf_image()) for counterexamples.
import {
  ancillaryOf,
  BPF_A,
  BPF_ABS,
  BPF_ADD,
  BPF_ALU,
  BPF_AND,
  BPF_B,
  BPF_DIV,
  BPF_H,
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
  insn,
  SKF_LL_OFF,
  SKF_NET_OFF,
  type Insn,
  type Program,
} from "./opcodes.js";

function parseInsnFields(text: string, where: string): Insn {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length !== 4 || f.some((x) => !Number.isInteger(x)))
    throw new RangeError(`${where}: "${text}" is not "code jt jf k"`);
  const [code, jt, jf, k] = f as [number, number, number, number];
  if (code < 0 || code > 0xffff || jt < 0 || jt > 255 || jf < 0 || jf > 255 || k < -0x80000000 || k > 0xffffffff) {
    throw new RangeError(`${where}: "${text}" has a field out of range`);
  }
  return insn(code, jt, jf, k);
}

export function formatBytecode(program: Program): string {
  return [String(program.length), ...program.map(([c, jt, jf, k]) => `${c} ${jt} ${jf} ${k >>> 0}`)].join(",");
}

/** Parses iptables' --bytecode text; a trailing comma is tolerated, as libxt_bpf does. */
export function parseBytecode(text: string): Insn[] {
  const [head, ...rest] = text.trim().replace(/,\s*$/, "").split(",");
  const n = Number(head);
  if (!Number.isInteger(n) || n !== rest.length)
    throw new RangeError(`bytecode: count "${head}" does not match ${rest.length} instructions`);
  return rest.map((s, i) => parseInsnFields(s, `bytecode instruction ${i}`));
}

export function formatTcpdumpDdd(program: Program): string {
  return `${[String(program.length), ...program.map(([c, jt, jf, k]) => `${c} ${jt} ${jf} ${k >>> 0}`)].join("\n")}\n`;
}

export function parseTcpdumpDdd(text: string): Insn[] {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const n = Number(lines[0]);
  if (!Number.isInteger(n) || n !== lines.length - 1)
    throw new RangeError(`tcpdump -ddd: count "${lines[0]}" does not match ${lines.length - 1} lines`);
  return lines.slice(1).map((l, i) => parseInsnFields(l, `tcpdump -ddd line ${i + 2}`));
}

/** struct sock_filter[]: u16 code, u8 jt, u8 jf, u32 k, little endian. */
export function encodeSockFilters(program: Program): Uint8Array {
  const out = new Uint8Array(program.length * 8);
  const v = new DataView(out.buffer);
  program.forEach(([code, jt, jf, k], i) => {
    v.setUint16(i * 8, code, true);
    v.setUint8(i * 8 + 2, jt);
    v.setUint8(i * 8 + 3, jf);
    v.setUint32(i * 8 + 4, k >>> 0, true);
  });
  return out;
}

export function decodeSockFilters(bytes: Uint8Array): Insn[] {
  if (bytes.length % 8 !== 0) throw new RangeError(`sock_filter array: ${bytes.length} bytes is not a multiple of 8`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let i = 0; i < bytes.length; i += 8)
    out.push(insn(v.getUint16(i, true), v.getUint8(i + 2), v.getUint8(i + 3), v.getUint32(i + 4, true)));
  return out;
}

/** A packet offset as tcpdump would show it, naming the negative areas. */
function offsetText(k: number): string {
  const anc = ancillaryOf(k);
  if (anc !== undefined) return `#${anc}`;
  if (k >= SKF_NET_OFF) return `net[${k - SKF_NET_OFF}]`;
  if (k >= SKF_LL_OFF) return `ll[${k - SKF_LL_OFF}]`;
  return String(k | 0);
}

const ALU_NAMES: Record<number, string> = {
  [BPF_ADD]: "add",
  [BPF_SUB]: "sub",
  [BPF_MUL]: "mul",
  [BPF_DIV]: "div",
  [BPF_MOD]: "mod",
  [BPF_AND]: "and",
  [BPF_OR]: "or",
  [BPF_XOR]: "xor",
  [BPF_LSH]: "lsh",
  [BPF_RSH]: "rsh",
  [BPF_NEG]: "neg",
};
const JMP_NAMES: Record<number, string> = { [BPF_JEQ]: "jeq", [BPF_JGT]: "jgt", [BPF_JGE]: "jge", [BPF_JSET]: "jset" };
const SIZE_SUFFIX: Record<number, string> = { 0: "", [BPF_H]: "h", [BPF_B]: "b" };

/** One instruction as libpcap's bpf_image() prints it: "(000) ldh      [12]". */
export function disassembleInsn(ins: Insn, pc: number): string {
  const [code, jt, jf, k] = ins;
  const hex = `#0x${k.toString(16)}`;
  let op: string;
  let operand = "";
  let jumps = "";
  switch (bpfClass(code)) {
    case BPF_LD: {
      const mode = bpfMode(code);
      op = `ld${SIZE_SUFFIX[bpfSize(code)] ?? "?"}`;
      if (mode === BPF_ABS) operand = ancillaryOf(k) ? offsetText(k) : `[${offsetText(k)}]`;
      else if (mode === BPF_IND) operand = `[x + ${k | 0}]`;
      else if (mode === BPF_IMM) operand = hex;
      else if (mode === BPF_MEM) operand = `M[${k}]`;
      else if (mode === BPF_LEN) operand = "#pktlen";
      else operand = `?mode 0x${mode.toString(16)}`;
      break;
    }
    case BPF_LDX: {
      const mode = bpfMode(code);
      op = "ldx";
      if (mode === BPF_MSH) [op, operand] = ["ldxb", `4*([${offsetText(k)}]&0xf)`];
      else if (mode === BPF_IMM) operand = hex;
      else if (mode === BPF_MEM) operand = `M[${k}]`;
      else if (mode === BPF_LEN) operand = "#pktlen";
      else operand = `?mode 0x${mode.toString(16)}`;
      break;
    }
    case BPF_ST:
      [op, operand] = ["st", `M[${k}]`];
      break;
    case BPF_STX:
      [op, operand] = ["stx", `M[${k}]`];
      break;
    case BPF_ALU:
      op = ALU_NAMES[bpfOp(code)] ?? `alu?0x${bpfOp(code).toString(16)}`;
      if (bpfOp(code) !== BPF_NEG) operand = bpfSrc(code) === BPF_X ? "x" : `#${k}`;
      break;
    case BPF_JMP:
      if (bpfOp(code) === BPF_JA) [op, operand] = ["ja", String(pc + 1 + k)];
      else {
        op = JMP_NAMES[bpfOp(code)] ?? `jmp?0x${bpfOp(code).toString(16)}`;
        operand = bpfSrc(code) === BPF_X ? "x" : hex;
        jumps = `jt ${pc + 1 + jt}\tjf ${pc + 1 + jf}`;
      }
      break;
    case BPF_RET:
      op = "ret";
      operand = bpfRval(code) === BPF_A ? "a" : bpfRval(code) === BPF_X ? "x" : `#${k}`;
      break;
    default:
      op = (code & 0xf8) === BPF_TAX ? "tax" : "txa";
      if (code !== (BPF_MISC | BPF_TAX) && code !== (BPF_MISC | 0x80)) op = `misc?0x${code.toString(16)}`;
  }
  const head = `(${String(pc).padStart(3, "0")}) ${op.padEnd(8)} `;
  return jumps ? `${head}${operand.padEnd(16)} ${jumps}` : `${head}${operand}`.trimEnd();
}

/** The whole program, one line per instruction; unknown opcodes are shown as such. */
export function disassemble(program: Program): string {
  return program.map((ins, pc) => disassembleInsn(ins, pc)).join("\n");
}
