// What the model IUT remembers between requests of one case; `reset` starts
// it afresh. Handlers get it as their second argument, so a mutant's handlers
// work on the state of the instance that serves them.
import { EMPTY_HOOK_NAMESPACE, type HookNamespace } from "../../model/hooks/namespace.js";
import { freshBpfState, type BpfModelState } from "./bpf-handlers.js";
import { freshNamespace as freshCttimeoutNamespace, type CttimeoutNamespace } from "../../model/cttimeout/namespace.js";

export interface ModelState {
  hooks: HookNamespace;
  /** bpf: loaded programs by handle. */
  bpf: BpfModelState;
  /** cttimeout: the namespace's policies, defaults and users. */
  cttimeout: CttimeoutNamespace;
}

export function freshModelState(): ModelState {
  return { hooks: EMPTY_HOOK_NAMESPACE, bpf: freshBpfState(), cttimeout: freshCttimeoutNamespace() };
}
