// The checksum area's protocol ops answered by the reference model.
import {
  checksumCheckentry,
  TABLE_HOOKS,
  type ChecksumRule,
  type InetHook,
  type XtTable,
} from "../../model/checksum/checkentry.js";
import { checksumTarget, CHECKSUM_STATES, type ChecksumProfile } from "../../model/checksum/checksum-target.js";
import { PacketError } from "../../wire/ip-packet.js";
import { toHex } from "../../wire/hex.js";
import { RequestReader } from "../request-fields.js";
import type { Params, Result } from "../protocol.js";
import type { ModelState } from "./model-state.js";

/** Answers one op; `state` is the serving instance's, for areas that keep state. */
export type OpHandler = (params: Params, state: ModelState) => Result;

const TABLES = Object.keys(TABLE_HOOKS) as XtTable[];
const HOOKS: readonly InetHook[] = ["prerouting", "input", "forward", "output", "postrouting"];

export function readFillRequest(params: Params) {
  const reader = new RequestReader("checksum.fill", params);
  return {
    packet: reader.hex("packet"),
    state: reader.oneOf("state", CHECKSUM_STATES),
    gso: reader.boolean("gso"),
    reader,
  };
}

export function readCheckentryRequest(params: Params): ChecksumRule {
  const reader = new RequestReader("checksum.checkentry", params);
  return {
    family: reader.oneOf("family", ["ipv4", "ipv6"] as const),
    table: reader.oneOf("table", TABLES),
    hook: reader.oneOf("hook", HOOKS),
    operation: reader.integer("operation", 0, 255),
    proto: reader.nullableInteger("proto", 0, 255),
    invertProto: reader.boolean("invertProto"),
  };
}

export function checksumHandlers(profile: ChecksumProfile): Record<string, OpHandler> {
  return {
    "checksum.fill": (params) => {
      const { packet, state, gso, reader } = readFillRequest(params);
      try {
        return { packet: toHex(checksumTarget({ packet, state, gso }, profile).packet) };
      } catch (error) {
        if (error instanceof PacketError) throw reader.invalid(error.message);
        throw error;
      }
    },
    "checksum.checkentry": (params) => ({ errno: checksumCheckentry(readCheckentryRequest(params), profile) }),
  };
}
