// Area `bpf`: classic BPF programs (docs/adapter-protocol.md).
import Type from "typebox";
import { insn, type Insn } from "../../model/bpf/opcodes.js";
import type { SkbMeta } from "../../model/bpf/skb.js";
import { ATTACH_POINTS, type Attach } from "../../model/bpf/validator.js";
import { fromHex } from "../../wire/hex.js";
import type { Params } from "./common.js";
import { ErrnoField, ErrnoReply, Hex, integer, NonEmptyString, NonNegative, nullable } from "./fields.js";
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

/**
 * The packet metadata of a run (model/bpf/skb.ts): every field optional, an
 * absent one keeps the attach point's default. Sent only to an IUT whose
 * hello lists BPF_RUN_META in `ops`.
 */
export const SkbMetaShape = Type.Object(
  {
    mark: Type.Optional(integer(0, 0xffffffff)),
    vlan: Type.Optional(
      Type.Object({ proto: integer(0, 0xffff), tci: integer(0, 0xffff) }, { additionalProperties: false }),
    ),
    pkttype: Type.Optional(integer(0, 7)),
    queue: Type.Optional(integer(0, 0xffff)),
    rxhash: Type.Optional(integer(0, 0xffffffff)),
    protocol: Type.Optional(integer(0, 0xffff)),
    device: Type.Optional(
      nullable(
        Type.Object({ ifindex: integer(1, 0x7fffffff), hatype: integer(0, 0xffff) }, { additionalProperties: false }),
      ),
    ),
    mac: Type.Optional(nullable(Hex)),
    network: Type.Optional(integer(0, 0xffff)),
  },
  { additionalProperties: false, description: "skb metadata: absent fields keep the attach point's defaults" },
);

/** What an IUT lists in hello's `ops` when its bpf.run takes `meta` (docs/adapter-protocol.md). */
export const BPF_RUN_META = "bpf.run.meta";

/** `bpf.run` `{"handle": str, "packets": [hex, ...], "meta": {...}?}` -> `{"results": [int, ...]}` */
export const bpfRun = defineOp(
  "bpf.run",
  Type.Object({ handle: NonEmptyString, packets: Type.Array(Hex), meta: Type.Optional(SkbMetaShape) }),
  Type.Object({ results: Type.Array(NonNegative) }),
);

/** The metadata as JSON, as bpf.run carries it (mac as hex). */
export type SkbMetaJson = Omit<SkbMeta, "mac"> & { mac?: string | null };

export function skbMetaFromJson(meta: SkbMetaJson): SkbMeta {
  const { mac, ...rest } = meta;
  return mac === undefined ? rest : { ...rest, mac: mac === null ? null : fromHex(mac) };
}

/** `bpf.unload` `{"handle": str}` -> `{"errno": n}` */
export const bpfUnload = defineOp("bpf.unload", Type.Object({ handle: NonEmptyString }), ErrnoReply);

export function readLoadRequest(params: Params): { program: Insn[]; attach: Attach } {
  const { program, attach } = bpfLoad.readRequest(params);
  return { program: program.map(([code, jt, jf, k]) => insn(code, jt, jf, k)), attach };
}

export function readRunRequest(params: Params): { handle: string; packets: Uint8Array[]; meta?: SkbMeta } {
  const { handle, packets, meta } = bpfRun.readRequest(params);
  return { handle, packets: packets.map((p) => fromHex(p)), ...(meta ? { meta: skbMetaFromJson(meta) } : {}) };
}

export function readUnloadRequest(params: Params): string {
  return bpfUnload.readRequest(params).handle;
}
