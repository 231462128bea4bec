// The cttimeout ops as seen from the suite: send, then read the reply strictly.
import { IutError, type Iut } from "../../iut/iut.js";
import { cttimeoutAttach, cttimeoutDetach, netlink } from "../../iut/ops/cttimeout.js";
import { attachStepOf, type CttimeoutCommand, type StepReply } from "./commands.js";

export async function iutNetlink(iut: Iut, messages: readonly string[]): Promise<string[][]> {
  const { replies } = await netlink.call(iut, { messages: [...messages] });
  if (replies.length !== messages.length)
    throw new IutError(
      `reply to netlink: "replies" must hold one array of hex messages per request (${messages.length})`,
      JSON.stringify(replies).slice(0, 200),
    );
  return replies;
}

/** Runs a sequence; attach refs stay inside (they are the IUT's own names). */
export async function iutRun(
  iut: Iut,
  commands: readonly CttimeoutCommand[],
  after?: (step: number) => Promise<void>,
): Promise<StepReply[]> {
  const refs = new Map<number, string>();
  const out: StepReply[] = [];
  for (let step = 0; step < commands.length; step++) {
    const c = commands[step]!;
    if (c.op === "netlink") out.push({ replies: await iutNetlink(iut, c.messages) });
    else if (c.op === "attach") {
      const { errno, ref } = await cttimeoutAttach.call(iut, { name: c.name, l3proto: c.l3proto, l4proto: c.l4proto });
      if (errno === 0) refs.set(step, ref!);
      out.push({ errno });
    } else {
      const ref = refs.get(attachStepOf(commands, step) ?? -1);
      if (ref === undefined) out.push({ skipped: true });
      else out.push({ errno: (await cttimeoutDetach.call(iut, { ref })).errno });
    }
    await after?.(step);
  }
  return out;
}
