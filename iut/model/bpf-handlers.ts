// The bpf area's protocol ops answered by the reference model: programs are
// validated and kept by handle in the model IUT's state; runs interpret them.
import { contextResult } from "../../model/bpf/contexts.js";
import { runProgram } from "../../model/bpf/interpreter.js";
import { insn, type Insn } from "../../model/bpf/opcodes.js";
import { LINUX_SEMANTICS, type BpfSemantics } from "../../model/bpf/semantics.js";
import { ATTACH_POINTS, validate, type Attach } from "../../model/bpf/validator.js";
import type { Params } from "../protocol.js";
import { RequestReader } from "../request-fields.js";
import type { OpHandler } from "./checksum-handlers.js";

/** A loaded program, as the model keeps it between requests. */
export interface LoadedProgram {
  program: Insn[];
  attach: Attach;
}

export interface BpfModelState {
  programs: Map<string, LoadedProgram>;
  nextHandle: number;
}

export function freshBpfState(): BpfModelState {
  return { programs: new Map(), nextHandle: 1 };
}

/** struct sock_fprog.len is a u16: longer programs cannot be expressed. */
const MAX_REPRESENTABLE = 0xffff;
const ENOENT = 2;

/** Reads [[code, jt, jf, k], ...]; k may be given signed (-4096 for SKF_AD_OFF). */
export function readProgram(reader: RequestReader, params: Params): Insn[] {
  const value = params.program;
  if (!Array.isArray(value)) throw reader.invalid(`"program" must be an array of [code, jt, jf, k]`);
  if (value.length > MAX_REPRESENTABLE)
    throw reader.invalid(`"program" has ${value.length} instructions; struct sock_fprog.len is a u16`);
  return value.map((item, i) => {
    const ok =
      Array.isArray(item) &&
      item.length === 4 &&
      item.every((f) => typeof f === "number" && Number.isInteger(f)) &&
      item[0] >= 0 &&
      item[0] <= 0xffff &&
      item[1] >= 0 &&
      item[1] <= 255 &&
      item[2] >= 0 &&
      item[2] <= 255 &&
      item[3] >= -0x80000000 &&
      item[3] <= 0xffffffff;
    if (!ok)
      throw reader.invalid(
        `"program"[${i}] must be [code 0..65535, jt 0..255, jf 0..255, k as u32 or s32], got ${JSON.stringify(item)}`,
      );
    return insn(item[0], item[1], item[2], item[3]);
  });
}

export function readLoadRequest(params: Params) {
  const reader = new RequestReader("bpf.load", params);
  return { program: readProgram(reader, params), attach: reader.oneOf("attach", ATTACH_POINTS), reader };
}

export function readRunRequest(params: Params) {
  const reader = new RequestReader("bpf.run", params);
  const handle = reader.string("handle");
  const packets = params.packets;
  if (!Array.isArray(packets)) throw reader.invalid(`"packets" must be an array of hex strings`);
  return { handle, packets: packets.map((_, i) => new RequestReader("bpf.run", { p: packets[i] }).hex("p")), reader };
}

export function readUnloadRequest(params: Params): string {
  return new RequestReader("bpf.unload", params).string("handle");
}

/** bpf.load with the given semantics: the validator's errno, and a handle when accepted. */
export function loadWith(semantics: BpfSemantics): OpHandler {
  return (params, state) => {
    const { program, attach } = readLoadRequest(params);
    const { errno } = validate(program, attach, semantics);
    if (errno !== 0) return { errno };
    const handle = `bpf-${state.bpf.nextHandle++}`;
    state.bpf.programs.set(handle, { program, attach });
    return { errno: 0, handle };
  };
}

/** bpf.run with the given semantics; `result` maps a return value to the protocol's result. */
export function runWith(semantics: BpfSemantics, result = contextResult): OpHandler {
  return (params, state) => {
    const { handle, packets, reader } = readRunRequest(params);
    const loaded = state.bpf.programs.get(handle);
    if (!loaded) throw reader.invalid(`no program is loaded with handle ${JSON.stringify(handle)}`);
    return {
      results: packets.map((p) =>
        result(loaded.attach, runProgram(loaded.program, p, loaded.attach, {}, semantics).returned, p.length),
      ),
    };
  };
}

export function bpfHandlers(_profile: string = "linux"): Record<string, OpHandler> {
  return {
    "bpf.load": loadWith(LINUX_SEMANTICS),
    "bpf.run": runWith(LINUX_SEMANTICS),
    "bpf.unload": (params, state) => {
      const handle = readUnloadRequest(params);
      return { errno: state.bpf.programs.delete(handle) ? 0 : ENOENT };
    },
  };
}
