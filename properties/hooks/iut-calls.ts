// The hooks ops as seen from the suite: send, then read the reply strictly.
import type { Iut } from "../../iut/iut.js";
import { hooksRegister, hooksTraverse, hooksUnregister } from "../../iut/ops/hooks.js";
import type { Verdict } from "../../model/hooks/families.js";
import type { HookRegistration } from "../../model/hooks/namespace.js";
import { errnoRuns, fillRegistrations, type HookCommand, type StepReply, type TraverseCommand } from "./commands.js";

export async function iutRegister(iut: Iut, registration: HookRegistration): Promise<number> {
  const { name, family, hook, priority, verdict, device } = registration; // not a command's `op`
  return (await hooksRegister.call(iut, { name, family, hook, priority, verdict, device })).errno;
}

export async function iutUnregister(iut: Iut, name: string): Promise<number> {
  return (await hooksUnregister.call(iut, { name })).errno;
}

export async function iutTraverse(iut: Iut, c: TraverseCommand): Promise<{ visited: string[]; verdict: Verdict }> {
  const { visited, verdict } = await hooksTraverse.call(iut, { family: c.family, hook: c.hook, device: c.device });
  return { visited, verdict };
}

/** Sends one command (a fill as its registrations) and returns the reply. */
export async function iutStep(iut: Iut, c: HookCommand): Promise<StepReply> {
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

export async function iutReplies(iut: Iut, commands: readonly HookCommand[]): Promise<StepReply[]> {
  const replies: StepReply[] = [];
  for (const c of commands) replies.push(await iutStep(iut, c));
  return replies;
}
