// The hooks ops as seen from the suite: send, then read the reply strictly.
// A case's commands go as one hooks.batch when the IUT's hello offers it,
// else one request a step; either way the replies come out the same. The
// batch is partial: a step the IUT cannot judge may come back unjudged, and
// the case goes on (the properties judge the rest and count the step).
import { AdapterReplyError, type Iut } from "../../iut/iut.js";
import { offersOp, type Result } from "../../iut/ops/common.js";
import {
  hooksBatch,
  hooksRegister,
  hooksTraverse,
  hooksUnregister,
  readBatchReplies,
  type BatchStep,
} from "../../iut/ops/hooks.js";
import type { Verdict } from "../../model/hooks/families.js";
import type { HookRegistration } from "../../model/hooks/namespace.js";
import { errnoRuns, fillRegistrations, type HookCommand, type StepReply, type TraverseCommand } from "./commands.js";

async function iutRegister(iut: Iut, registration: HookRegistration): Promise<number> {
  return (await hooksRegister.call(iut, registerParams(registration))).errno;
}

async function iutUnregister(iut: Iut, name: string): Promise<number> {
  return (await hooksUnregister.call(iut, { name })).errno;
}

async function iutTraverse(iut: Iut, c: TraverseCommand): Promise<{ visited: string[]; verdict: Verdict }> {
  const { visited, verdict } = await hooksTraverse.call(iut, { family: c.family, hook: c.hook, device: c.device });
  return { visited, verdict };
}

function registerParams(registration: HookRegistration) {
  const { name, family, hook, priority, verdict, device } = registration; // not a command's `op`
  return { name, family, hook, priority, verdict, device };
}

/** Sends one command (a fill as its registrations) and returns the reply. */
async function iutStep(iut: Iut, c: HookCommand): Promise<StepReply> {
  switch (c.op) {
    case "register":
      return { errno: await iutRegister(iut, c) };
    case "unregister":
      return { errno: await iutUnregister(iut, c.name) };
    case "traverse":
      return iutTraverse(iut, c);
    case "fill": {
      const errnos: number[] = [];
      for (const reg of fillRegistrations(c)) errnos.push(await iutRegister(iut, reg));
      return { errnos: errnoRuns(errnos) };
    }
  }
}

/** A command's protocol requests: one, or a fill's registrations. */
function stepsOf(c: HookCommand): BatchStep[] {
  switch (c.op) {
    case "register":
      return [{ op: "hooks.register", ...registerParams(c) }];
    case "unregister":
      return [{ op: "hooks.unregister", name: c.name }];
    case "traverse":
      return [{ op: "hooks.traverse", family: c.family, hook: c.hook, device: c.device }];
    case "fill":
      return fillRegistrations(c).map((reg) => ({ op: "hooks.register" as const, ...registerParams(reg) }));
  }
}

/** The protocol requests of commands, each with the index of its command. */
export function batchSteps(commands: readonly HookCommand[]): { steps: BatchStep[]; command: number[] } {
  const steps: BatchStep[] = [];
  const command: number[] = [];
  for (const [i, c] of commands.entries()) {
    for (const step of stepsOf(c)) {
      steps.push(step);
      command.push(i);
    }
  }
  return { steps, command };
}

/**
 * Steps a hooks.batch request carries at most: the per-request timeout covers
 * a whole batch, and a step the kernel refuses costs an aborted transaction
 * (8 to 30 ms), so a fill far past the 1024 limit goes in several requests.
 */
const MAX_BATCH_STEPS = 256;

/** Every step's reply, from consecutive hooks.batch requests; an error reply ends them. */
async function sendBatches(iut: Iut, steps: readonly BatchStep[]): Promise<(Result | AdapterReplyError)[]> {
  const replies: (Result | AdapterReplyError)[] = [];
  for (let from = 0; from < steps.length; from += MAX_BATCH_STEPS) {
    const chunk = steps.slice(from, from + MAX_BATCH_STEPS);
    const got = readBatchReplies(chunk, await iut.call(hooksBatch.op, { steps: chunk, partial: true }), true);
    replies.push(...got);
    // readBatchReplies gives a reply a step or ends on an error reply: only an error stops early.
    if (got[got.length - 1] instanceof AdapterReplyError) break;
  }
  return replies;
}

/** The commands' replies from hooks.batch requests: each step's reply folded into its command's, an error last. */
async function batchReplies(iut: Iut, commands: readonly HookCommand[]): Promise<(StepReply | AdapterReplyError)[]> {
  const { steps, command } = batchSteps(commands);
  const replies = await sendBatches(iut, steps);
  const out: (StepReply | AdapterReplyError)[] = [];
  let errnos: number[] = [];
  let unjudged: string | undefined;
  for (const [i, reply] of replies.entries()) {
    if (reply instanceof AdapterReplyError) return [...out, reply];
    const c = commands[command[i]!]!;
    const why = typeof reply.unjudged === "string" ? reply.unjudged : undefined;
    if (c.op !== "fill") {
      out.push(
        why !== undefined
          ? { unjudged: why }
          : c.op === "traverse"
            ? traversal(reply)
            : { errno: reply.errno as number },
      );
      continue;
    }
    if (why !== undefined) unjudged ??= why;
    else errnos.push(reply.errno as number);
    if (command[i + 1] !== command[i]) {
      out.push(unjudged !== undefined ? { unjudged } : { errnos: errnoRuns(errnos) });
      errnos = [];
      unjudged = undefined;
    }
  }
  return out;
}

function traversal(reply: Result): StepReply {
  return { visited: reply.visited as string[], verdict: reply.verdict as Verdict };
}

/**
 * The replies to a case's commands, in order: from one hooks.batch when the
 * IUT offers it, else one request a step. A step answered with an error reply
 * throws it at that step, as its request alone does; step by step, a consumer
 * that stops early (at a reply that differs) sends nothing more.
 */
export async function* iutReplies(iut: Iut, commands: readonly HookCommand[]): AsyncGenerator<StepReply> {
  // The hello is the IUT's own (an adapter client keeps it; the model answers at once).
  if (offersOp(await iut.hello(), hooksBatch.op)) {
    for (const reply of await batchReplies(iut, commands)) {
      if (reply instanceof AdapterReplyError) throw reply;
      yield reply;
    }
    return;
  }
  for (const c of commands) yield await iutStep(iut, c);
}
