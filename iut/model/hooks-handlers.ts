// The hooks area's protocol ops answered by the reference model, on the
// namespace kept in the model IUT's state.
import { HookRequestError, registerHook, unregisterHook } from "../../model/hooks/namespace.js";
import { hooksRules, type HooksProfile } from "../../model/hooks/profiles.js";
import { traverse, traversedList } from "../../model/hooks/traverse.js";
import {
  foldSteps,
  hooksBatch,
  hooksRegister,
  hooksTraverse,
  hooksUnregister,
  readRegistration,
} from "../ops/hooks.js";
import { invalid } from "../ops/op.js";
import { hooksFragments, readFragmentsRequest, writeSightings } from "../ops/hooks-fragments.js";
import { DEFRAG_RULES, preroutingSightings } from "../../model/defrag/prerouting.js";
import { PacketError } from "../../wire/ip-packet.js";
import type { OpHandler } from "./model-state.js";

export function hooksHandlers(profile: HooksProfile): Record<string, OpHandler> {
  const rules = hooksRules(profile);
  return {
    "hooks.register": (params, state) => {
      const registration = readRegistration(params);
      try {
        const { ns, errno } = registerHook(state.hooks, registration, rules);
        state.hooks = ns;
        return hooksRegister.writeReply({ errno });
      } catch (error) {
        if (error instanceof HookRequestError) throw invalid(hooksRegister.op, error.message);
        throw error;
      }
    },
    "hooks.unregister": (params, state) => {
      const { ns, errno } = unregisterHook(state.hooks, hooksUnregister.readRequest(params).name);
      state.hooks = ns;
      return hooksUnregister.writeReply({ errno });
    },
    "hooks.traverse": (params, state) => {
      const { family, hook, device } = hooksTraverse.readRequest(params);
      const key = traversedList(rules, family, hook, device);
      // No packet can run a list the kernel does not have: not a verdict.
      if (key === undefined)
        throw invalid(hooksTraverse.op, `no ${family} ${hook} hook list${device === null ? "" : ` on ${device}`}`);
      const { visited, verdict } = traverse(state.hooks, key);
      return hooksTraverse.writeReply({ visited, verdict });
    },
    // The steps folded through this instance's own handlers: exactly the replies they give alone.
    "hooks.batch": (params, _state, call) =>
      hooksBatch.writeReply({ replies: foldSteps(hooksBatch.readRequest(params).steps, call) }),
    // Self-contained like frag6.run: its own namespace, nothing kept in the state.
    "hooks.fragments": (params) => {
      const { steps, packets } = readFragmentsRequest(params);
      try {
        return hooksFragments.writeReply(
          writeSightings(preroutingSightings(steps, packets, { ...DEFRAG_RULES, hooks: rules })),
        );
      } catch (error) {
        if (error instanceof PacketError) throw invalid(hooksFragments.op, error.message);
        throw error;
      }
    },
  };
}
