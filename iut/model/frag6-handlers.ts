// The frag6 area's protocol op answered by the reference model. Each run is
// self-contained ("each run starts from an empty reassembly state"), so the
// handler keeps nothing in the model state.
import type { Frag6Profile } from "../../model/frag6/profiles.js";
import { frag6Run as runModel } from "../../model/frag6/run.js";
import { PacketError } from "../../wire/ip-packet.js";
import { frag6Run, readFrag6Request } from "../ops/frag6.js";
import { invalid } from "../ops/op.js";
import type { OpHandler } from "./model-state.js";

export function frag6Handlers(profile: Frag6Profile): Record<string, OpHandler> {
  return {
    "frag6.run": (params) => {
      const request = readFrag6Request(params);
      try {
        return frag6Run.writeReply({ ...runModel(request.events, profile, request.config) });
      } catch (error) {
        if (error instanceof PacketError) throw invalid(frag6Run.op, error.message);
        throw error;
      }
    },
  };
}
