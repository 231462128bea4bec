// frag6.run as seen from the suite: send the events, read the reply strictly.
import type { Iut } from "../../iut/iut.js";
import { IutError } from "../../iut/iut.js";
import { replyArray } from "../../iut/reply-fields.js";
import type { Observed } from "../../model/frag6/judge.js";
import type { StreamInput } from "./stream.js";

function integer(value: unknown, what: string, reply: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new IutError(
      `reply to frag6.run: ${what} must be a non-negative integer, got ${JSON.stringify(value)}`,
      JSON.stringify(reply).slice(0, 200),
    );
  }
  return value;
}

export async function iutRun(iut: Iut, input: StreamInput): Promise<Observed> {
  const reply = await iut.call("frag6.run", { events: input.events, config: input.config });
  const delivered = replyArray(reply, "frag6.run", "delivered").map((d, i) => {
    const r = d as Record<string, unknown>;
    if (typeof r !== "object" || r === null || typeof r.packet !== "string" || !/^([0-9a-f]{2})*$/.test(r.packet)) {
      throw new IutError(
        `reply to frag6.run: delivered[${i}] must be {"t": ms, "packet": hex}`,
        JSON.stringify(d).slice(0, 200),
      );
    }
    return { t: integer(r.t, `delivered[${i}].t`, d), packet: r.packet };
  });
  if (reply.icmp === undefined) return { delivered };
  const icmp = replyArray(reply, "frag6.run", "icmp").map((e, i) => {
    const r = (e ?? {}) as Record<string, unknown>;
    return {
      t: integer(r.t, `icmp[${i}].t`, e),
      type: integer(r.type, `icmp[${i}].type`, e),
      code: integer(r.code, `icmp[${i}].code`, e),
      pointer: integer(r.pointer, `icmp[${i}].pointer`, e),
    };
  });
  return { delivered, icmp };
}
