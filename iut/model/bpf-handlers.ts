// The bpf area's protocol ops answered by the reference model: programs are
// validated and kept by handle in the model IUT's state; runs interpret them.
import { contextResult } from "../../model/bpf/contexts.js";
import { runProgram } from "../../model/bpf/interpreter.js";
import { LINUX_SEMANTICS, type BpfSemantics } from "../../model/bpf/semantics.js";
import { validate } from "../../model/bpf/validator.js";
import { bpfLoad, bpfRun, bpfUnload, readLoadRequest, readRunRequest, readUnloadRequest } from "../ops/bpf.js";
import { Errno } from "../ops/common.js";
import { invalid } from "../ops/op.js";
import type { OpHandler } from "./model-state.js";

/** bpf.load with the given semantics: the validator's errno, and a handle when accepted. */
export function loadWith(semantics: BpfSemantics): OpHandler {
  return (params, state) => {
    const { program, attach } = readLoadRequest(params);
    const { errno } = validate(program, attach, semantics);
    if (errno !== 0) return bpfLoad.writeReply({ errno });
    const handle = `bpf-${state.bpf.nextHandle++}`;
    state.bpf.programs.set(handle, { program, attach });
    return bpfLoad.writeReply({ errno: 0, handle });
  };
}

/** bpf.run with the given semantics; `result` maps a return value to the protocol's result. */
export function runWith(semantics: BpfSemantics, result = contextResult): OpHandler {
  return (params, state) => {
    const { handle, packets, meta } = readRunRequest(params);
    const loaded = state.bpf.programs.get(handle);
    if (!loaded) throw invalid(bpfRun.op, `no program is loaded with handle ${JSON.stringify(handle)}`);
    const env = meta ? { skb: meta } : {};
    return bpfRun.writeReply({
      results: packets.map((p) =>
        result(loaded.attach, runProgram(loaded.program, p, loaded.attach, env, semantics).returned, p.length),
      ),
    });
  };
}

export function bpfHandlers(_profile: string = "linux"): Record<string, OpHandler> {
  return {
    "bpf.load": loadWith(LINUX_SEMANTICS),
    "bpf.run": runWith(LINUX_SEMANTICS),
    "bpf.unload": (params, state) => {
      const handle = readUnloadRequest(params);
      return bpfUnload.writeReply({ errno: state.bpf.programs.delete(handle) ? 0 : Errno.ENOENT });
    },
  };
}
