// hooks.batch on the kernel: the steps in order, each run of registrations
// and unregistrations through HookChains.apply() (one nf_tables transaction
// where the kernel lets it, registry.ts), each traversal its own probe.
// Every step answers what its request alone would: its reply, or the error
// reply of the step that ends the batch; in a partial batch, a step the
// kernel cannot judge (decline.ts, Unjudgeable) is answered unjudged and the
// batch goes on.
import { AdapterReplyError } from "../../iut.js";
import type { Params, Result } from "../../ops/common.js";
import { hooksTraverse, stepError, stepParams, type BatchStep, type StepReply } from "../../ops/hooks.js";
import { Unjudgeable } from "./decline.js";
import type { ChainStep, HookChains } from "./registry.js";

/** A register or unregister step as HookChains takes it (hooks.batch's reader has checked its fields). */
function chainStep(step: BatchStep): ChainStep {
  if (step.op === "hooks.unregister") return { op: "unregister", name: step.name };
  if (step.op === "hooks.traverse") throw new Error("a traversal is not a chain step");
  const { name, family, hook, priority, verdict, device } = step;
  return { op: "register", registration: { name, family, hook, priority, verdict, device } };
}

export function runBatch(
  steps: readonly BatchStep[],
  chains: HookChains,
  traverse: (params: Params) => Result,
  partial = false,
): StepReply[] {
  const replies: StepReply[] = [];
  let i = 0;
  while (i < steps.length) {
    const step = stepParams(steps[i]!);
    if (step.op === hooksTraverse.op) {
      try {
        replies.push(traverse(step.params) as StepReply);
      } catch (error) {
        if (partial && error instanceof Unjudgeable) replies.push({ unjudged: error.detail });
        else if (error instanceof AdapterReplyError) return [...replies, stepError(error)];
        else throw error;
      }
      i++;
      continue;
    }
    let end = i;
    while (end < steps.length && steps[end]!.op !== hooksTraverse.op) end++;
    for (const reply of chains.apply(steps.slice(i, end).map(chainStep), partial)) {
      if (reply instanceof AdapterReplyError) return [...replies, stepError(reply)];
      replies.push(typeof reply === "number" ? { errno: reply } : reply);
    }
    i = end;
  }
  return replies;
}
