// The program formats (model/bpf/formats.ts): the disassembly in libpcap
// bpf_image()'s layout ("(%03d) %-8s %s", jumps "%-16s jt %d\tjf %d") for every
// opcode, unknown ones shown as such, and the text and binary formats' errors.
import { describe, expect, it } from "vitest";
import {
  decodeSockFilters,
  disassemble,
  encodeSockFilters,
  formatBytecode,
  formatTcpdumpDdd,
  parseBytecode,
  parseTcpdumpDdd,
} from "../../model/bpf/formats.js";
import { insn, SKF_AD_OFF, SKF_LL_OFF, SKF_NET_OFF } from "../../model/bpf/opcodes.js";

describe("disassembly", () => {
  it("shows every opcode class, mode, operation and operand as tcpdump -d does", () => {
    const program = [
      [0x20, 0, 0, 12],
      [0x28, 0, 0, 12],
      [0x30, 0, 0, 9],
      [0x80, 0, 0, 0],
      [0x40, 0, 0, 2],
      [0x48, 0, 0, 0xfffffffe],
      [0x50, 0, 0, 3],
      [0x00, 0, 0, 0xff],
      [0x60, 0, 0, 3],
      [0x81, 0, 0, 0],
      [0xb1, 0, 0, 14],
      [0x01, 0, 0, 0x10],
      [0x61, 0, 0, 4],
      [0x02, 0, 0, 5],
      [0x03, 0, 0, 6],
      [0x04, 0, 0, 1],
      [0x0c, 0, 0, 0],
      [0x14, 0, 0, 2],
      [0x1c, 0, 0, 0],
      [0x24, 0, 0, 3],
      [0x2c, 0, 0, 0],
      [0x34, 0, 0, 4],
      [0x3c, 0, 0, 0],
      [0x94, 0, 0, 5],
      [0x9c, 0, 0, 0],
      [0x54, 0, 0, 6],
      [0x5c, 0, 0, 0],
      [0x44, 0, 0, 7],
      [0x4c, 0, 0, 0],
      [0xa4, 0, 0, 8],
      [0xac, 0, 0, 0],
      [0x64, 0, 0, 9],
      [0x6c, 0, 0, 0],
      [0x74, 0, 0, 10],
      [0x7c, 0, 0, 0],
      [0x84, 0, 0, 0],
      [0x05, 0, 0, 1],
      [0x15, 1, 2, 0x800],
      [0x1d, 0, 1, 0],
      [0x25, 3, 4, 5],
      [0x2d, 0, 0, 0],
      [0x35, 1, 1, 6],
      [0x3d, 0, 0, 0],
      [0x45, 0, 0, 0x10],
      [0x4d, 0, 0, 0],
      [0x07, 0, 0, 0],
      [0x87, 0, 0, 0],
      [0x06, 0, 0, 96],
      [0x16, 0, 0, 0],
      [0x0e, 0, 0, 0],
      [0x20, 0, 0, SKF_AD_OFF + 0],
      [0x20, 0, 0, SKF_AD_OFF + 56],
      [0x20, 0, 0, SKF_NET_OFF + 5],
      [0x30, 0, 0, SKF_LL_OFF + 6],
      [0xb1, 0, 0, SKF_NET_OFF],
      [0xff, 0, 0, 0],
      [0x27, 0, 0, 0],
      [0x18, 0, 0, 0],
      [0xe0, 0, 0, 0],
      [0x21, 0, 0, 0],
      [0xf4, 0, 0, 0],
      [0xe5, 0, 0, 0],
    ].map(([c, jt, jf, k]) => insn(c!, jt!, jf!, k!));
    expect(disassemble(program).split("\n")).toEqual([
      "(000) ld       [12]",
      "(001) ldh      [12]",
      "(002) ldb      [9]",
      "(003) ld       #pktlen",
      "(004) ld       [x + 2]",
      "(005) ldh      [x + -2]",
      "(006) ldb      [x + 3]",
      "(007) ld       #0xff",
      "(008) ld       M[3]",
      "(009) ldx      #pktlen",
      "(010) ldxb     4*([14]&0xf)",
      "(011) ldx      #0x10",
      "(012) ldx      M[4]",
      "(013) st       M[5]",
      "(014) stx      M[6]",
      "(015) add      #1",
      "(016) add      x",
      "(017) sub      #2",
      "(018) sub      x",
      "(019) mul      #3",
      "(020) mul      x",
      "(021) div      #4",
      "(022) div      x",
      "(023) mod      #5",
      "(024) mod      x",
      "(025) and      #6",
      "(026) and      x",
      "(027) or       #7",
      "(028) or       x",
      "(029) xor      #8",
      "(030) xor      x",
      "(031) lsh      #9",
      "(032) lsh      x",
      "(033) rsh      #10",
      "(034) rsh      x",
      "(035) neg",
      "(036) ja       38",
      "(037) jeq      #0x800           jt 39\tjf 40",
      "(038) jeq      x                jt 39\tjf 40",
      "(039) jgt      #0x5             jt 43\tjf 44",
      "(040) jgt      x                jt 41\tjf 41",
      "(041) jge      #0x6             jt 43\tjf 43",
      "(042) jge      x                jt 43\tjf 43",
      "(043) jset     #0x10            jt 44\tjf 44",
      "(044) jset     x                jt 45\tjf 45",
      "(045) tax",
      "(046) txa",
      "(047) ret      #96",
      "(048) ret      a",
      "(049) ret      x",
      "(050) ld       #protocol",
      "(051) ld       #random",
      "(052) ld       [net[5]]",
      "(053) ldb      [ll[6]]",
      "(054) ldxb     4*([net[0]]&0xf)",
      "(055) misc?0xff",
      "(056) misc?0x27",
      "(057) ld?      #0x0",
      "(058) ld       ?mode 0xe0",
      "(059) ldx      ?mode 0x20",
      "(060) alu?0xf0 #0",
      "(061) jmp?0xe0 #0x0             jt 62\tjf 62",
    ]);
  });
});

describe("text and binary formats", () => {
  it("iptables --bytecode: the count must match; fields are integers in range", () => {
    expect(parseBytecode(" 1,6 0 0 1 , ")).toEqual([[6, 0, 0, 1]]);
    expect(parseBytecode("2,6  0\t0 1,0 0 0 0")).toEqual([
      [6, 0, 0, 1],
      [0, 0, 0, 0],
    ]);
    expect(() => parseBytecode("1,6 0 0 1,x")).toThrow('bytecode: count "1" does not match 2 instructions');
    expect(parseBytecode("1,65535 255 255 4294967295")).toEqual([[65535, 255, 255, 4294967295]]);
    expect(parseBytecode("1,6 0 0 -2147483648")).toEqual([[6, 0, 0, 2147483648]]);
    expect(() => parseBytecode("2,6 0 0 1")).toThrow('bytecode: count "2" does not match 1 instructions');
    expect(() => parseBytecode("x,6 0 0 1")).toThrow(RangeError);
    expect(() => parseBytecode("1,6 0 0")).toThrow('bytecode instruction 0: "6 0 0" is not "code jt jf k"');
    expect(() => parseBytecode("1,6 0 0 1.5")).toThrow("is not");
    for (const bad of [
      "65536 0 0 1",
      "-1 0 0 1",
      "6 256 0 1",
      "6 -1 0 1",
      "6 0 256 1",
      "6 0 -1 1",
      "6 0 0 -2147483649",
      "6 0 0 4294967296",
    ]) {
      expect(() => parseBytecode(`1,${bad}`)).toThrow(`bytecode instruction 0: "${bad}" has a field out of range`);
    }
  });

  it("tcpdump -ddd: blank lines are ignored; the count must match", () => {
    expect(parseTcpdumpDdd("1\n\n  6 0 0 1  \n\n")).toEqual([[6, 0, 0, 1]]);
    expect(parseTcpdumpDdd("1\n   \n6 0 0 1\n")).toEqual([[6, 0, 0, 1]]);
    expect(() => parseTcpdumpDdd("2\n6 0 0 1\n")).toThrow('tcpdump -ddd: count "2" does not match 1 lines');
    expect(() => parseTcpdumpDdd("1\n6 0 0 x\n")).toThrow('tcpdump -ddd line 2: "6 0 0 x" is not "code jt jf k"');
  });

  it("the link-layer area starts at SKF_LL_OFF itself", () => {
    expect(disassemble([insn(0x30, 0, 0, SKF_LL_OFF)])).toBe("(000) ldb      [ll[0]]");
    expect(disassemble([insn(0x30, 0, 0, SKF_NET_OFF)])).toBe("(000) ldb      [net[0]]");
  });

  it("k is printed unsigned", () => {
    expect(formatBytecode([insn(6, 0, 0, -4096)])).toBe("1,6 0 0 4294963200");
    expect(formatTcpdumpDdd([insn(6, 0, 0, -4096), insn(0x15, 1, 2, 3)])).toBe("2\n6 0 0 4294963200\n21 1 2 3\n");
  });

  it("struct sock_filter: u16 code, u8 jt, u8 jf, u32 k, little endian, 8 bytes each", () => {
    const bytes = encodeSockFilters([insn(0x1234, 5, 6, 0x89abcdef)]);
    expect([...bytes]).toEqual([0x34, 0x12, 5, 6, 0xef, 0xcd, 0xab, 0x89]);
    const shifted = new Uint8Array(12);
    shifted.set(bytes, 4);
    expect(decodeSockFilters(shifted.subarray(4))).toEqual([[0x1234, 5, 6, 0x89abcdef]]);
    expect(() => decodeSockFilters(new Uint8Array(7))).toThrow("sock_filter array: 7 bytes is not a multiple of 8");
    const two = [insn(0x15, 1, 2, 3), insn(0x06, 0, 0, 0xffff)];
    expect([...encodeSockFilters(two)]).toEqual([0x15, 0, 1, 2, 3, 0, 0, 0, 0x06, 0, 0, 0, 0xff, 0xff, 0, 0]);
    expect(decodeSockFilters(encodeSockFilters(two))).toEqual(two);
  });
});
