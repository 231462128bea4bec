// The bpf ops as seen from the suite: send, then read the reply strictly.
import { IutError, type Iut } from "../../iut/iut.js";
import { replyArray, replyErrno, replyString } from "../../iut/reply-fields.js";
import type { Attach } from "../../model/bpf/validator.js";
import type { JsonProgram } from "./generators.js";

export async function iutLoad(
  iut: Iut,
  program: JsonProgram,
  attach: Attach,
): Promise<{ errno: number; handle?: string }> {
  const reply = await iut.call("bpf.load", { program, attach });
  const errno = replyErrno(reply, "bpf.load");
  return errno === 0 ? { errno, handle: replyString(reply, "bpf.load", "handle") } : { errno };
}

export async function iutRun(iut: Iut, handle: string, packets: string[]): Promise<number[]> {
  const reply = await iut.call("bpf.run", { handle, packets });
  const results = replyArray(reply, "bpf.run", "results");
  if (
    results.length !== packets.length ||
    !results.every((r) => typeof r === "number" && Number.isInteger(r) && r >= 0)
  ) {
    throw new IutError(
      `reply to bpf.run: "results" must hold one non-negative integer per packet (${packets.length})`,
      JSON.stringify(reply).slice(0, 200),
    );
  }
  return results as number[];
}

export async function iutUnload(iut: Iut, handle: string): Promise<number> {
  return replyErrno(await iut.call("bpf.unload", { handle }), "bpf.unload");
}
