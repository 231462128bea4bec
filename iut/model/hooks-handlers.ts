// The hooks area's protocol ops answered by the reference model, on the
// namespace kept in the model IUT's state.
import {
  HOOK_FAMILIES,
  HOOK_NAMES,
  INT_MAX,
  INT_MIN,
  TRAVERSE_FAMILIES,
  VERDICTS,
} from "../../model/hooks/families.js";
import { HookRequestError, registerHook, unregisterHook, type HookRegistration } from "../../model/hooks/namespace.js";
import { hooksRules, type HooksProfile } from "../../model/hooks/profiles.js";
import { traverse, traversedList } from "../../model/hooks/traverse.js";
import type { Params } from "../protocol.js";
import { RequestReader } from "../request-fields.js";
import type { OpHandler } from "./checksum-handlers.js";

export function readRegisterRequest(params: Params): { registration: HookRegistration; reader: RequestReader } {
  const reader = new RequestReader("hooks.register", params);
  return {
    registration: {
      name: reader.string("name"),
      family: reader.oneOf("family", HOOK_FAMILIES),
      hook: reader.oneOf("hook", HOOK_NAMES),
      priority: reader.integer("priority", INT_MIN, INT_MAX),
      verdict: reader.oneOf("verdict", VERDICTS),
      device: reader.nullableString("device"),
    },
    reader,
  };
}

export function readUnregisterRequest(params: Params): string {
  return new RequestReader("hooks.unregister", params).string("name");
}

export function readTraverseRequest(params: Params) {
  const reader = new RequestReader("hooks.traverse", params);
  return {
    family: reader.oneOf("family", TRAVERSE_FAMILIES),
    hook: reader.oneOf("hook", HOOK_NAMES),
    device: reader.nullableString("device"),
    reader,
  };
}

export function hooksHandlers(profile: HooksProfile): Record<string, OpHandler> {
  const rules = hooksRules(profile);
  return {
    "hooks.register": (params, state) => {
      const { registration, reader } = readRegisterRequest(params);
      try {
        const { ns, errno } = registerHook(state.hooks, registration, rules);
        state.hooks = ns;
        return { errno };
      } catch (error) {
        if (error instanceof HookRequestError) throw reader.invalid(error.message);
        throw error;
      }
    },
    "hooks.unregister": (params, state) => {
      const { ns, errno } = unregisterHook(state.hooks, readUnregisterRequest(params));
      state.hooks = ns;
      return { errno };
    },
    "hooks.traverse": (params, state) => {
      const { family, hook, device, reader } = readTraverseRequest(params);
      const key = traversedList(rules, family, hook, device);
      // No packet can run a list the kernel does not have: not a verdict.
      if (key === undefined)
        throw reader.invalid(`no ${family} ${hook} hook list${device === null ? "" : ` on ${device}`}`);
      const { visited, verdict } = traverse(state.hooks, key);
      return { visited, verdict };
    },
  };
}
