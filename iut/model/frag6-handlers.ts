// The frag6 area's protocol op answered by the reference model. Each run is
// self-contained ("each run starts from an empty reassembly state"), so the
// handler keeps nothing in the model state.
import {
  FRAG6_DEFAULT_CONFIG,
  type Frag6Config,
  type Frag6Event,
  type Frag6Profile,
} from "../../model/frag6/profiles.js";
import { frag6Run } from "../../model/frag6/run.js";
import { PacketError } from "../../wire/ip-packet.js";
import { fromHex } from "../../wire/hex.js";
import type { Params } from "../protocol.js";
import { RequestReader } from "../request-fields.js";
import type { OpHandler } from "./checksum-handlers.js";

export interface Frag6Request {
  events: Frag6Event[];
  config: Frag6Config;
}

/** Reads frag6.run's parameters; anything malformed is answered `invalid`. */
export function readFrag6Request(params: Params): { request: Frag6Request; reader: RequestReader } {
  const reader = new RequestReader("frag6.run", params);
  const raw = params.events;
  if (!Array.isArray(raw)) throw reader.invalid(`"events" must be an array`);
  let last = 0;
  const events = raw.map((e, i) => {
    const r = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
    const t = r.t;
    if (typeof t !== "number" || !Number.isInteger(t) || t < last)
      throw reader.invalid(`events[${i}].t must be an integer, non-decreasing`);
    last = t;
    try {
      return { t, packet: fromHex(r.packet, `events[${i}].packet`) };
    } catch (error) {
      throw reader.invalid((error as Error).message);
    }
  });
  const c = params.config;
  let config = FRAG6_DEFAULT_CONFIG;
  if (c !== undefined) {
    const cfg = new RequestReader("frag6.run", (typeof c === "object" && c !== null ? c : {}) as Params);
    config = {
      timeoutMs: cfg.integer("timeoutMs", 1, 2 ** 40),
      highThresh: cfg.integer("highThresh", 0, 2 ** 40),
      lowThresh: cfg.integer("lowThresh", 0, 2 ** 40),
    };
  }
  return { request: { events, config }, reader };
}

export function frag6Handlers(profile: Frag6Profile): Record<string, OpHandler> {
  return {
    "frag6.run": (params) => {
      const { request, reader } = readFrag6Request(params);
      try {
        return { ...frag6Run(request.events, profile, request.config) };
      } catch (error) {
        if (error instanceof PacketError) throw reader.invalid(error.message);
        throw error;
      }
    },
  };
}
