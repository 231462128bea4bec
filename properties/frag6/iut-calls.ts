// frag6.run as seen from the suite: send the events, read the reply strictly.
import type { Iut } from "../../iut/iut.js";
import { frag6Run, observedOf } from "../../iut/ops/frag6.js";
import type { Observed } from "../../model/frag6/judge.js";
import type { StreamInput } from "./stream.js";

export async function iutRun(iut: Iut, input: StreamInput): Promise<Observed> {
  return observedOf(await frag6Run.call(iut, { events: input.events, config: input.config }));
}
