// Area `hooks`: netfilter hook registration and traversal (docs/adapter-protocol.md).
import Type from "typebox";
import {
  HOOK_FAMILIES,
  HOOK_NAMES,
  INT_MAX,
  INT_MIN,
  TRAVERSE_FAMILIES,
  VERDICTS,
} from "../../model/hooks/families.js";
import type { HookRegistration } from "../../model/hooks/namespace.js";
import { ErrnoReply, NonEmptyString, nullable } from "./fields.js";
import { defineOp } from "./op.js";

export const Priority = Type.Integer({ minimum: INT_MIN, maximum: INT_MAX, description: "an int32 integer" });
const Device = nullable(NonEmptyString);

/** The fields of one registration: what `hooks.register` sends. */
export const RegistrationFields = {
  name: NonEmptyString,
  family: Type.Enum(HOOK_FAMILIES),
  hook: Type.Enum(HOOK_NAMES),
  priority: Priority,
  verdict: Type.Enum(VERDICTS),
  device: Device,
};

/** `hooks.register` {registration} -> `{"errno": n}` */
export const hooksRegister = defineOp("hooks.register", Type.Object(RegistrationFields), ErrnoReply);

/** `hooks.unregister` `{"name": str}` -> `{"errno": n}` (ENOENT for an unknown name) */
export const hooksUnregister = defineOp("hooks.unregister", Type.Object({ name: NonEmptyString }), ErrnoReply);

const TraverseFields = { family: Type.Enum(TRAVERSE_FAMILIES), hook: Type.Enum(HOOK_NAMES), device: Device };

/** `hooks.traverse` {family, hook, device} -> `{"visited": [name, ...], "verdict": ...}` */
export const hooksTraverse = defineOp(
  "hooks.traverse",
  Type.Object(TraverseFields),
  Type.Object({ visited: Type.Array(Type.String()), verdict: Type.Enum(VERDICTS) }),
);

export function readRegistration(params: Record<string, unknown>): HookRegistration {
  const { name, family, hook, priority, verdict, device } = hooksRegister.readRequest(params);
  return { name, family, hook, priority, verdict, device };
}
