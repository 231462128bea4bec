// Area `hooks`: netfilter hook registration and traversal (docs/adapter-protocol.md).
import Type, { type Static } from "typebox";
import {
  HOOK_FAMILIES,
  HOOK_NAMES,
  INT_MAX,
  INT_MIN,
  TRAVERSE_FAMILIES,
  VERDICTS,
} from "../../model/hooks/families.js";
import type { HookRegistration } from "../../model/hooks/namespace.js";
import { AdapterReplyError, IutError } from "../iut.js";
import { shown } from "./codec.js";
import { ErrorReply, type Params, type Result } from "./common.js";
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

const TraverseReply = Type.Object({ visited: Type.Array(Type.String()), verdict: Type.Enum(VERDICTS) });

/** `hooks.traverse` {family, hook, device} -> `{"visited": [name, ...], "verdict": ...}` */
export const hooksTraverse = defineOp("hooks.traverse", Type.Object(TraverseFields), TraverseReply);

/** The ops a hooks.batch step may be, each with its contract. */
const STEP_OPS = {
  [hooksRegister.op]: hooksRegister,
  [hooksUnregister.op]: hooksUnregister,
  [hooksTraverse.op]: hooksTraverse,
};

const BatchStep = Type.Union(
  [
    Type.Object({ op: Type.Literal("hooks.register"), ...RegistrationFields }),
    Type.Object({ op: Type.Literal("hooks.unregister"), name: NonEmptyString }),
    Type.Object({ op: Type.Literal("hooks.traverse"), ...TraverseFields }),
  ],
  { description: 'a hooks.register, hooks.unregister or hooks.traverse request with its "op"' },
);
export type BatchStep = Static<typeof BatchStep>;
/** What one step of a batch answers: its op's reply, or its error reply. */
export type StepReply = Static<typeof StepReplyShape>;

/**
 * A step the adapter ran as far as it could but whose answer is not the
 * implementation's (an interface in front of it answers otherwise), with why:
 * only in a batch that carries `"partial": true`, and only where no later
 * step's reply depends on what the step did (docs/adapter-protocol.md).
 */
export const UnjudgedReply = Type.Object({ unjudged: NonEmptyString });
export type UnjudgedReply = Static<typeof UnjudgedReply>;

const StepReplyShape = Type.Union([ErrnoReply, TraverseReply, UnjudgedReply, ErrorReply.schema], {
  description:
    'a step\'s reply ({"errno": n} or {"visited": [...], "verdict": ...}), {"unjudged": why} (in a partial batch), or its {"error": {...}}',
});

/**
 * `hooks.batch` `{"steps": [{"op": "hooks.register", ...}, ...]}` -> `{"replies": [reply, ...]}`:
 * an optional op (an adapter lists it in hello's `ops`). The steps run in
 * order, each exactly as its request alone would; `replies[i]` is what
 * step i would have got alone, its error reply included. The first step
 * answered with an error reply is the last one run: the replies end there.
 * With `partial`, a step may be answered `{"unjudged": why}` instead of
 * ending the batch (UnjudgedReply).
 */
export const hooksBatch = defineOp(
  "hooks.batch",
  Type.Object({
    steps: Type.Array(BatchStep, { minItems: 1 }),
    partial: Type.Optional(
      Type.Boolean({
        description:
          'true: a step the adapter cannot judge may be answered {"unjudged": why} and the batch goes on; what it leaves unknown lasts across the case\'s later batches until reset',
      }),
    ),
  }),
  Type.Object({ replies: Type.Array(StepReplyShape) }),
);

/** A step's request as it travels alone: its parameters without the op. */
export function stepParams(step: BatchStep): { op: string; params: Params } {
  const { op, ...params } = step;
  return { op, params };
}

/**
 * Adapter side: runs the steps one by one through `call` (the instance's own
 * step handlers), catching what each step would have answered alone. A step
 * whose handler throws an AdapterReplyError ends the batch with its error reply.
 */
export function foldSteps(steps: readonly BatchStep[], call: (op: string, params: Params) => Result): StepReply[] {
  const replies: StepReply[] = [];
  for (const step of steps) {
    const { op, params } = stepParams(step);
    try {
      replies.push(call(op, params) as StepReply);
    } catch (error) {
      if (!(error instanceof AdapterReplyError)) throw error;
      replies.push(stepError(error));
      break;
    }
  }
  return replies;
}

/** A step's error reply, as the adapter protocol carries an AdapterReplyError. */
export function stepError(error: AdapterReplyError): StepReply {
  return { error: { code: error.code, message: error.detail } };
}

/**
 * Suite side: each step's reply read by its own op's contract, or the
 * AdapterReplyError its error reply stands for (as that step's request alone
 * would have thrown it), last. A reply count that does not fit the steps is
 * an IutError: the contract is one reply a step, up to the first error. An
 * unjudged step is kept as it came, and only where the request was `partial`.
 */
export function readBatchReplies(
  steps: readonly BatchStep[],
  reply: Result,
  partial = false,
): (Result | AdapterReplyError)[] {
  const { replies } = hooksBatch.readReply(reply);
  const out: (Result | AdapterReplyError)[] = [];
  for (const [i, r] of replies.entries()) {
    const step = steps[i];
    if (step === undefined)
      throw new IutError(`reply to hooks.batch: ${replies.length} replies for ${steps.length} steps`, shown(reply));
    if ("unjudged" in r) {
      if (!partial)
        throw new IutError(
          `reply to hooks.batch: replies[${i}] is unjudged, but the request is not partial`,
          shown(reply),
        );
      out.push(r);
      continue;
    }
    if ("error" in r) {
      if (i !== replies.length - 1)
        throw new IutError(`reply to hooks.batch: replies[${i}] is an error, but replies follow it`, shown(reply));
      out.push(new AdapterReplyError(r.error.code, step.op, r.error.message));
      return out;
    }
    const problem = STEP_OPS[step.op]!.reply.problem(r);
    if (problem !== undefined)
      throw new IutError(`reply to hooks.batch: replies[${i}] (${step.op}): ${problem}`, shown(reply));
    out.push(r);
  }
  if (out.length !== steps.length)
    throw new IutError(`reply to hooks.batch: ${replies.length} replies for ${steps.length} steps`, shown(reply));
  return out;
}

export function readRegistration(params: Record<string, unknown>): HookRegistration {
  const { name, family, hook, priority, verdict, device } = hooksRegister.readRequest(params);
  return { name, family, hook, priority, verdict, device };
}
