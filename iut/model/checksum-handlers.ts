// The checksum area's protocol ops answered by the reference model.
import { checksumCheckentry as checkentry } from "../../model/checksum/checkentry.js";
import { checksumTarget, type ChecksumProfile } from "../../model/checksum/checksum-target.js";
import { PacketError } from "../../wire/ip-packet.js";
import { toHex } from "../../wire/hex.js";
import { checksumCheckentry, checksumFill, readCheckentryRequest, readFillRequest } from "../ops/checksum.js";
import { invalid } from "../ops/op.js";
import type { OpHandler } from "./model-state.js";

export function checksumHandlers(profile: ChecksumProfile): Record<string, OpHandler> {
  return {
    "checksum.fill": (params) => {
      const { packet, state, gso } = readFillRequest(params);
      try {
        return checksumFill.writeReply({ packet: toHex(checksumTarget({ packet, state, gso }, profile).packet) });
      } catch (error) {
        if (error instanceof PacketError) throw invalid(checksumFill.op, error.message);
        throw error;
      }
    },
    "checksum.checkentry": (params) =>
      checksumCheckentry.writeReply({ errno: checkentry(readCheckentryRequest(params), profile) }),
  };
}
