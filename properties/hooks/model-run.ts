// What the model answers to a command sequence, step by step.
import { EMPTY_HOOK_NAMESPACE, registerHook, unregisterHook, type HookNamespace } from "../../model/hooks/namespace.js";
import { hooksRules, type HooksRules } from "../../model/hooks/profiles.js";
import { traverse, traversedList } from "../../model/hooks/traverse.js";
import { errnoRuns, fillRegistrations, type HookCommand, type StepReply } from "./commands.js";

/** The model's namespace, fed one command at a time. */
export class ModelSteps {
  private ns: HookNamespace = EMPTY_HOOK_NAMESPACE;
  private readonly rules: HooksRules;

  constructor(profile: string) {
    this.rules = hooksRules(profile);
  }

  step(c: HookCommand): StepReply {
    switch (c.op) {
      case "register":
        return { errno: this.register(c) };
      case "fill":
        return { errnos: errnoRuns(fillRegistrations(c).map((reg) => this.register(reg))) };
      case "unregister": {
        const r = unregisterHook(this.ns, c.name);
        this.ns = r.ns;
        return { errno: r.errno };
      }
      case "traverse": {
        const key = traversedList(this.rules, c.family, c.hook, c.device);
        if (key === undefined)
          throw new Error(`the case traverses a list this profile does not have: ${c.family} ${c.hook}`);
        return traverse(this.ns, key);
      }
    }
  }

  private register(reg: Parameters<typeof registerHook>[1]): number {
    const r = registerHook(this.ns, reg, this.rules);
    this.ns = r.ns;
    return r.errno;
  }
}

export function modelReplies(commands: readonly HookCommand[], profile: string): StepReply[] {
  const model = new ModelSteps(profile);
  return commands.map((c) => model.step(c));
}
