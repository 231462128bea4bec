// Area `bpf`: classic BPF programs (docs/adapter-protocol.md).
import Type from "typebox";
import { insn, type Insn } from "../../model/bpf/opcodes.js";
import { ATTACH_POINTS, type Attach } from "../../model/bpf/validator.js";
import { fromHex } from "../../wire/hex.js";
import type { Params } from "./common.js";
import { ErrnoField, ErrnoReply, Hex, integer, NonEmptyString, NonNegative } from "./fields.js";
import { defineOp } from "./op.js";

/** `[code, jt, jf, k]`, struct sock_filter; k may be given signed (-4096 for SKF_AD_OFF). */
export const Instruction = Type.Tuple(
  [integer(0, 0xffff), integer(0, 255), integer(0, 255), integer(-0x80000000, 0xffffffff)],
  {
    description: "[code 0..65535, jt 0..255, jf 0..255, k as u32 or s32]",
  },
);

/** struct sock_fprog.len is a u16: longer programs cannot be expressed. */
export const Program = Type.Array(Instruction, { maxItems: 0xffff });

export const AttachPoint = Type.Enum(ATTACH_POINTS);

/** `bpf.load` `{"program": [[code, jt, jf, k], ...], "attach": ...}` -> `{"errno": n, "handle": str}` */
export const bpfLoad = defineOp(
  "bpf.load",
  Type.Object({ program: Program, attach: AttachPoint }),
  Type.Object({ errno: ErrnoField, handle: Type.Optional(Type.String()) }),
  { reply: (r) => (r.errno === 0 && r.handle === undefined ? `"handle" must be a string when errno is 0` : undefined) },
);

/** `bpf.run` `{"handle": str, "packets": [hex, ...]}` -> `{"results": [int, ...]}` */
export const bpfRun = defineOp(
  "bpf.run",
  Type.Object({ handle: NonEmptyString, packets: Type.Array(Hex) }),
  Type.Object({ results: Type.Array(NonNegative) }),
);

/** `bpf.unload` `{"handle": str}` -> `{"errno": n}` */
export const bpfUnload = defineOp("bpf.unload", Type.Object({ handle: NonEmptyString }), ErrnoReply);

export function readLoadRequest(params: Params): { program: Insn[]; attach: Attach } {
  const { program, attach } = bpfLoad.readRequest(params);
  return { program: program.map(([code, jt, jf, k]) => insn(code, jt, jf, k)), attach };
}

export function readRunRequest(params: Params): { handle: string; packets: Uint8Array[] } {
  const { handle, packets } = bpfRun.readRequest(params);
  return { handle, packets: packets.map((p) => fromHex(p)) };
}

export function readUnloadRequest(params: Params): string {
  return bpfUnload.readRequest(params).handle;
}
