// The bpf ops as seen from the suite: send, then read the reply strictly.
import { AdapterReplyError, IutError, type Iut } from "../../iut/iut.js";
import { BPF_RUN_META, bpfLoad, bpfRun, bpfUnload, type SkbMetaJson } from "../../iut/ops/bpf.js";
import { offersOp } from "../../iut/ops/common.js";
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

/**
 * Runs the packets; with metadata only on an IUT whose hello lists
 * bpf.run.meta (an older adapter would ignore the field): elsewhere the case
 * is declined, as the adapter's own `unsupported` would decline it.
 */
export async function iutRun(iut: Iut, handle: string, packets: string[], meta?: SkbMetaJson): Promise<number[]> {
  if (meta && !offersOp(await iut.hello(), BPF_RUN_META))
    throw new AdapterReplyError(
      "unsupported",
      bpfRun.op,
      `packet metadata: the IUT's hello does not list ${BPF_RUN_META}`,
    );
  const { results } = await bpfRun.call(iut, { handle, packets, ...(meta ? { meta } : {}) });
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
