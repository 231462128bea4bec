// xtables extension info blobs carried in NFTA_MATCH_INFO / NFTA_TARGET_INFO by
// nft_compat (net/netfilter/nft_compat.c). They are the C structs of the
// extension, in host byte order (little endian) with x86_64 layout, and their
// length must be XT_ALIGN(sizeof(struct)) (include/uapi/linux/netfilter/x_tables.h:
// XT_ALIGN rounds up to __alignof__(struct _xt_align) = 8 on x86_64).
// Sizes and offsets below were checked with gcc's sizeof/offsetof on x86_64.

import { viewOf, cString, readCString } from "./bytes.js";
import { NetlinkDecodeError } from "./errors.js";

export const XT_ALIGNTO = 8;
export function xtAlign(size: number): number {
  return (size + XT_ALIGNTO - 1) & ~(XT_ALIGNTO - 1);
}

// ------------------------------------------------ CHECKSUM (xt_CHECKSUM.h)
// struct xt_CHECKSUM_info { __u8 operation; };  sizeof 1, XT_ALIGN 8
export const XT_CHECKSUM_OP_FILL = 0x01;
export const XT_CHECKSUM_INFO_SIZE = xtAlign(1);
export const XT_CHECKSUM_REVISION = 0;

export function checksumTargetInfo(operation: number = XT_CHECKSUM_OP_FILL): Uint8Array {
  const out = new Uint8Array(XT_CHECKSUM_INFO_SIZE);
  out[0] = operation & 0xff;
  return out;
}

// ------------------------------------------------ CT (xt_CT.h)
// struct xt_ct_target_info_v1 {           offset
//   __u16 flags;                          0
//   __u16 zone;                           2
//   __u32 ct_events;                      4
//   __u32 exp_events;                     8
//   char helper[16];                      12
//   char timeout[32];                     28
//   /* 4 bytes padding */                 60
//   struct nf_conn *ct aligned(8);        64   (kernel-internal, sent as 0)
// };                                      sizeof 72 = XT_ALIGN
// Used by target revisions 1 and 2 (rev 2 accepts XT_CT_NOTRACK_ALIAS and zone
// direction flags); iptables-nft 1.8 sends rev 2 for `-j CT --timeout NAME`.
export const XT_CT_NOTRACK = 1 << 0;
export const XT_CT_NOTRACK_ALIAS = 1 << 1;
export const XT_CT_ZONE_DIR_ORIG = 1 << 2;
export const XT_CT_ZONE_DIR_REPL = 1 << 3;
export const XT_CT_ZONE_MARK = 1 << 4;
export const XT_CT_TARGET_INFO_V1_SIZE = 72;
const CT_HELPER_AT = 12;
const CT_HELPER_LEN = 16;
const CT_TIMEOUT_AT = 28;
const CT_TIMEOUT_LEN = 32;

export interface CtTargetInfo {
  flags?: number;
  zone?: number;
  ctEvents?: number;
  expEvents?: number;
  helper?: string;
  /** Name of a cttimeout policy (at most 31 bytes). */
  timeout?: string;
}

export function ctTargetInfoV1(info: CtTargetInfo): Uint8Array {
  const out = new Uint8Array(XT_CT_TARGET_INFO_V1_SIZE);
  const view = viewOf(out);
  view.setUint16(0, info.flags ?? 0, true);
  view.setUint16(2, info.zone ?? 0, true);
  view.setUint32(4, info.ctEvents ?? 0, true);
  view.setUint32(8, info.expEvents ?? 0, true);
  out.set(cString(info.helper ?? "", CT_HELPER_LEN, "xt_ct_target_info_v1.helper"), CT_HELPER_AT);
  out.set(cString(info.timeout ?? "", CT_TIMEOUT_LEN, "xt_ct_target_info_v1.timeout"), CT_TIMEOUT_AT);
  return out;
}

export function decodeCtTargetInfoV1(blob: Uint8Array): Required<CtTargetInfo> {
  if (blob.length !== XT_CT_TARGET_INFO_V1_SIZE) {
    throw new NetlinkDecodeError(
      "xt_ct_target_info_v1",
      0,
      `blob is ${blob.length} bytes, expected ${XT_CT_TARGET_INFO_V1_SIZE}`,
    );
  }
  const view = viewOf(blob);
  return {
    flags: view.getUint16(0, true),
    zone: view.getUint16(2, true),
    ctEvents: view.getUint32(4, true),
    expEvents: view.getUint32(8, true),
    helper: readCString(blob.subarray(CT_HELPER_AT, CT_HELPER_AT + CT_HELPER_LEN)),
    timeout: readCString(blob.subarray(CT_TIMEOUT_AT, CT_TIMEOUT_AT + CT_TIMEOUT_LEN)),
  };
}

// ------------------------------------------------ bpf (xt_bpf.h, linux/filter.h)
// struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; };   8 bytes, align 4
// struct xt_bpf_info {                               offset
//   __u16 bpf_program_num_elem;                      0
//   /* 2 bytes padding */                            2
//   struct sock_filter bpf_program[64];              4
//   struct sk_filter *filter aligned(8);             520  (kernel-internal)
// };                                                 sizeof 528 = XT_ALIGN
// struct xt_bpf_info_v1 {
//   __u16 mode; __u16 bpf_program_num_elem; __s32 fd;            0, 2, 4
//   union { struct sock_filter bpf_program[64]; char path[512]; }  8
//   struct bpf_prog *filter aligned(8);                          520
// };                                                             sizeof 528
export const XT_BPF_MAX_NUM_INSTR = 64;
export const XT_BPF_INFO_SIZE = 528;
export const XT_BPF_INFO_V1_SIZE = 528;
export const XT_BPF_MODE_BYTECODE = 0;
export const XT_BPF_MODE_FD_PINNED = 1;
export const XT_BPF_MODE_FD_ELF = 2;
const SOCK_FILTER_SIZE = 8;

/** One classic BPF instruction: [code, jt, jf, k]. */
export type SockFilter = readonly [number, number, number, number];

function writeProgram(view: DataView, at: number, program: readonly SockFilter[]): void {
  program.forEach(([code, jt, jf, k], i) => {
    const o = at + i * SOCK_FILTER_SIZE;
    view.setUint16(o, code & 0xffff, true);
    view.setUint8(o + 2, jt & 0xff);
    view.setUint8(o + 3, jf & 0xff);
    view.setUint32(o + 4, k >>> 0, true);
  });
}

function checkProgramLength(program: readonly SockFilter[], count: number | undefined): number {
  if (program.length > XT_BPF_MAX_NUM_INSTR) {
    throw new RangeError(`xt_bpf: ${program.length} instructions do not fit the ${XT_BPF_MAX_NUM_INSTR}-slot array`);
  }
  return count ?? program.length;
}

/**
 * Revision 0 blob. `count` overrides bpf_program_num_elem (to test the
 * kernel's `> XT_BPF_MAX_NUM_INSTR` check); it defaults to program.length.
 */
export function bpfMatchInfoV0(program: readonly SockFilter[], count?: number): Uint8Array {
  const n = checkProgramLength(program, count);
  const out = new Uint8Array(XT_BPF_INFO_SIZE);
  const view = viewOf(out);
  view.setUint16(0, n & 0xffff, true);
  writeProgram(view, 4, program);
  return out;
}

/** Revision 1 blob in bytecode mode (what iptables-nft 1.8 sends for `-m bpf --bytecode`). */
export function bpfMatchInfoV1Bytecode(program: readonly SockFilter[], count?: number): Uint8Array {
  const n = checkProgramLength(program, count);
  const out = new Uint8Array(XT_BPF_INFO_V1_SIZE);
  const view = viewOf(out);
  view.setUint16(0, XT_BPF_MODE_BYTECODE, true);
  view.setUint16(2, n & 0xffff, true);
  view.setInt32(4, 0, true);
  writeProgram(view, 8, program);
  return out;
}

function readProgram(view: DataView, at: number, count: number): SockFilter[] {
  const out: SockFilter[] = [];
  for (let i = 0; i < Math.min(count, XT_BPF_MAX_NUM_INSTR); i++) {
    const o = at + i * SOCK_FILTER_SIZE;
    out.push([view.getUint16(o, true), view.getUint8(o + 2), view.getUint8(o + 3), view.getUint32(o + 4, true)]);
  }
  return out;
}

export function decodeBpfMatchInfoV0(blob: Uint8Array): { count: number; program: SockFilter[] } {
  if (blob.length !== XT_BPF_INFO_SIZE) {
    throw new NetlinkDecodeError("xt_bpf_info", 0, `blob is ${blob.length} bytes, expected ${XT_BPF_INFO_SIZE}`);
  }
  const view = viewOf(blob);
  const count = view.getUint16(0, true);
  return { count, program: readProgram(view, 4, count) };
}

export function decodeBpfMatchInfoV1(blob: Uint8Array): {
  mode: number;
  count: number;
  fd: number;
  program: SockFilter[];
} {
  if (blob.length !== XT_BPF_INFO_V1_SIZE) {
    throw new NetlinkDecodeError("xt_bpf_info_v1", 0, `blob is ${blob.length} bytes, expected ${XT_BPF_INFO_V1_SIZE}`);
  }
  const view = viewOf(blob);
  const mode = view.getUint16(0, true);
  const count = view.getUint16(2, true);
  return {
    mode,
    count,
    fd: view.getInt32(4, true),
    program: mode === XT_BPF_MODE_BYTECODE ? readProgram(view, 8, count) : [],
  };
}

/** Parses iptables' `--bytecode` text: "N,code jt jf k,code jt jf k,..." (decimal). */
export function parseBpfBytecode(text: string): SockFilter[] {
  const [head, ...rest] = text.split(",");
  const n = Number(head);
  if (!Number.isInteger(n) || n !== rest.length)
    throw new RangeError(`bpf bytecode: count "${head}" does not match ${rest.length} instructions`);
  return rest.map((ins, i) => {
    const f = ins.trim().split(/\s+/).map(Number);
    if (f.length !== 4 || f.some((x) => !Number.isInteger(x)))
      throw new RangeError(`bpf bytecode: instruction ${i} "${ins}" is not "code jt jf k"`);
    return [f[0]!, f[1]!, f[2]!, f[3]!] as const;
  });
}
