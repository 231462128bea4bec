// The bpf ops as seen from the suite: send, then read the reply strictly.
import { IutError, type Iut } from "../../iut/iut.js";
import { bpfLoad, bpfRun, bpfUnload } from "../../iut/ops/bpf.js";
import type { Attach } from "../../model/bpf/validator.js";
import type { JsonProgram } from "./generators.js";

export async function iutLoad(
  iut: Iut,
  program: JsonProgram,
  attach: Attach,
): Promise<{ errno: number; handle?: string }> {
  const { errno, handle } = await bpfLoad.call(iut, { program, attach });
  return errno === 0 ? { errno, handle: handle! } : { errno };
}

export async function iutRun(iut: Iut, handle: string, packets: string[]): Promise<number[]> {
  const { results } = await bpfRun.call(iut, { handle, packets });
  if (results.length !== packets.length) {
    throw new IutError(
      `reply to bpf.run: "results" must hold one non-negative integer per packet (${packets.length})`,
      JSON.stringify(results).slice(0, 200),
    );
  }
  return results;
}

export async function iutUnload(iut: Iut, handle: string): Promise<number> {
  return (await bpfUnload.call(iut, { handle })).errno;
}
