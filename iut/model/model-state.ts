// What the model IUT remembers between requests of one case; `reset` starts
// it afresh. Handlers get it as their second argument, so a mutant's handlers
// work on the state of the instance that serves them. The handler contract
// lives here too, so handler modules import this one and nothing of each other.
import { EMPTY_HOOK_NAMESPACE, type HookNamespace } from "../../model/hooks/namespace.js";
import { freshNamespace as freshCttimeoutNamespace, type CttimeoutNamespace } from "../../model/cttimeout/namespace.js";
import type { Insn } from "../../model/bpf/opcodes.js";
import type { Attach } from "../../model/bpf/validator.js";
import type { Params, Result } from "../ops/common.js";

/** A loaded program, as the model keeps it between requests. */
export interface LoadedProgram {
  program: Insn[];
  attach: Attach;
}

export interface BpfModelState {
  programs: Map<string, LoadedProgram>;
  nextHandle: number;
}

export interface ModelState {
  hooks: HookNamespace;
  /** bpf: loaded programs by handle. */
  bpf: BpfModelState;
  /** cttimeout: the namespace's policies, defaults and users. */
  cttimeout: CttimeoutNamespace;
}

export function freshModelState(): ModelState {
  return {
    hooks: EMPTY_HOOK_NAMESPACE,
    bpf: { programs: new Map(), nextHandle: 1 },
    cttimeout: freshCttimeoutNamespace(),
  };
}

/**
 * Answers one op; `state` is the serving instance's, for areas that keep
 * state, and `call` its own dispatch, for an op made of other ops (hooks.batch
 * runs the instance's step handlers, a mutant's included).
 */
export type OpHandler = (params: Params, state: ModelState, call: (op: string, params: Params) => Result) => Result;
