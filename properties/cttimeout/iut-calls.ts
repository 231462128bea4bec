// The cttimeout ops as seen from the suite: send, then read the reply strictly.
import { IutError, type Iut } from "../../iut/iut.js";
import { replyArray, replyErrno, replyString } from "../../iut/reply-fields.js";
import { attachStepOf, type CttimeoutCommand, type StepReply } from "./commands.js";

export async function iutNetlink(iut: Iut, messages: readonly string[]): Promise<string[][]> {
  const reply = await iut.call("netlink", { messages: [...messages] });
  const replies = replyArray(reply, "netlink", "replies");
  const ok =
    replies.length === messages.length &&
    replies.every((r) => Array.isArray(r) && r.every((m) => typeof m === "string" && /^([0-9a-f]{2})*$/.test(m)));
  if (!ok)
    throw new IutError(
      `reply to netlink: "replies" must hold one array of hex messages per request (${messages.length})`,
      JSON.stringify(reply).slice(0, 200),
    );
  return replies as string[][];
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
      const reply = await iut.call("cttimeout.attach", { name: c.name, l3proto: c.l3proto, l4proto: c.l4proto });
      const errno = replyErrno(reply, "cttimeout.attach");
      if (errno === 0) refs.set(step, replyString(reply, "cttimeout.attach", "ref"));
      out.push({ errno });
    } else {
      const ref = refs.get(attachStepOf(commands, step) ?? -1);
      if (ref === undefined) out.push({ skipped: true });
      else out.push({ errno: replyErrno(await iut.call("cttimeout.detach", { ref }), "cttimeout.detach") });
    }
    await after?.(step);
  }
  return out;
}
