// The hooks ops as seen from the suite: send, then read the reply strictly.
import { IutError, type Iut } from "../../iut/iut.js";
import { replyArray, replyErrno, replyString } from "../../iut/reply-fields.js";
import { VERDICTS, type Verdict } from "../../model/hooks/families.js";
import type { HookRegistration } from "../../model/hooks/namespace.js";
import { errnoRuns, fillRegistrations, type HookCommand, type StepReply, type TraverseCommand } from "./commands.js";

export async function iutRegister(iut: Iut, registration: HookRegistration): Promise<number> {
  const { name, family, hook, priority, verdict, device } = registration; // not a command's `op`
  return replyErrno(
    await iut.call("hooks.register", { name, family, hook, priority, verdict, device }),
    "hooks.register",
  );
}

export async function iutUnregister(iut: Iut, name: string): Promise<number> {
  return replyErrno(await iut.call("hooks.unregister", { name }), "hooks.unregister");
}

export async function iutTraverse(iut: Iut, c: TraverseCommand): Promise<{ visited: string[]; verdict: Verdict }> {
  const reply = await iut.call("hooks.traverse", { family: c.family, hook: c.hook, device: c.device });
  const visited = replyArray(reply, "hooks.traverse", "visited");
  if (!visited.every((v): v is string => typeof v === "string")) {
    throw new IutError(`reply to hooks.traverse: "visited" must hold hook names (strings)`, JSON.stringify(reply));
  }
  const verdict = replyString(reply, "hooks.traverse", "verdict");
  if (!(VERDICTS as readonly string[]).includes(verdict)) {
    throw new IutError(
      `reply to hooks.traverse: "verdict" must be accept or drop, got ${JSON.stringify(verdict)}`,
      JSON.stringify(reply),
    );
  }
  return { visited, verdict: verdict as Verdict };
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
