import { describe, expect, it } from "vitest";
import { toHex } from "../../../wire/hex.js";
import * as xt from "../../../wire/netlink/xtables-info.js";

// Sizes and offsets: gcc sizeof/offsetof on x86_64 with the 6.x uapi headers
// (xt_ct_target_info_v1 72, timeout at 28; xt_bpf_info 528, program at 4,
// filter at 520; xt_bpf_info_v1 528; xt_CHECKSUM_info 1 -> XT_ALIGN 8).
describe("xtables info blobs", () => {
  it("CHECKSUM: one operation byte padded to XT_ALIGN(1) = 8", () => {
    expect(toHex(xt.checksumTargetInfo())).toBe("0100000000000000");
  });

  it("xt_ct_target_info_v1: 72 bytes, helper at 12, timeout at 28, host-order integers", () => {
    const blob = xt.ctTargetInfoV1({
      flags: xt.XT_CT_NOTRACK,
      zone: 0x0102,
      ctEvents: 3,
      expEvents: 4,
      helper: "ftp",
      timeout: "x".repeat(31),
    });
    expect(blob.length).toBe(72);
    expect(toHex(blob.subarray(0, 16))).toBe("010002010300000004000000" + "66747000");
    expect(blob[28]).toBe(0x78);
    expect(blob[59]).toBe(0);
    expect(xt.decodeCtTargetInfoV1(blob)).toEqual({
      flags: 1,
      zone: 0x0102,
      ctEvents: 3,
      expEvents: 4,
      helper: "ftp",
      timeout: "x".repeat(31),
    });
    expect(() => xt.ctTargetInfoV1({ timeout: "x".repeat(32) })).toThrow(/needs 33 bytes/);
  });

  it("xt_bpf_info rev 0: count at 0, sock_filter[64] at 4, 528 bytes", () => {
    const program = xt.parseBpfBytecode("4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0");
    const blob = xt.bpfMatchInfoV0(program);
    expect(blob.length).toBe(528);
    expect(toHex(blob.subarray(0, 4 + 16))).toBe("04000000" + "3000000009000000" + "1500000106000000");
    expect(blob.subarray(4 + 4 * 8).every((b) => b === 0)).toBe(true);
    expect(xt.decodeBpfMatchInfoV0(blob)).toEqual({ count: 4, program });
    expect(xt.decodeBpfMatchInfoV0(xt.bpfMatchInfoV0(program, 65)).count).toBe(65);
    expect(() => xt.bpfMatchInfoV0(Array.from({ length: 65 }, () => [6, 0, 0, 0] as const))).toThrow(/do not fit/);
  });

  it("xt_bpf_info_v1 bytecode mode: mode, count, fd, program at 8", () => {
    const blob = xt.bpfMatchInfoV1Bytecode([[6, 0, 0, 0xffff]]);
    expect(blob.length).toBe(528);
    expect(toHex(blob.subarray(0, 16))).toBe("0000010000000000" + "06000000ffff0000");
    expect(xt.decodeBpfMatchInfoV1(blob)).toEqual({ mode: 0, count: 1, fd: 0, program: [[6, 0, 0, 0xffff]] });
  });
});
