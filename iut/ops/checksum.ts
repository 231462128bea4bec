// Area `checksum`: the xtables CHECKSUM target (docs/adapter-protocol.md).
import Type from "typebox";
import { TABLE_HOOKS, type ChecksumRule, type XtTable } from "../../model/checksum/checkentry.js";
import { CHECKSUM_STATES, type ChecksumState } from "../../model/checksum/checksum-target.js";
import { fromHex } from "../../wire/hex.js";
import type { Params } from "./common.js";
import { ErrnoReply, Hex, integer, nullable } from "./fields.js";
import { defineOp } from "./op.js";

const TABLES = Object.keys(TABLE_HOOKS) as XtTable[];

/** `checksum.fill` `{"packet": hex, "state": ..., "gso": bool}` -> `{"packet": hex}` */
export const checksumFill = defineOp(
  "checksum.fill",
  Type.Object({ packet: Hex, state: Type.Enum(CHECKSUM_STATES), gso: Type.Boolean() }),
  Type.Object({ packet: Hex }),
);

/** The rule checkentry is asked about: the target with a match on the protocol. */
const ChecksumRuleShape = Type.Object({
  family: Type.Enum(["ipv4", "ipv6"] as const),
  table: Type.Enum(TABLES),
  hook: Type.Enum(TABLE_HOOKS.mangle),
  operation: integer(0, 255),
  proto: nullable(integer(0, 255)),
  invertProto: Type.Boolean(),
});

/** `checksum.checkentry` {rule} -> `{"errno": n}` */
export const checksumCheckentry = defineOp("checksum.checkentry", ChecksumRuleShape, ErrnoReply);

/** checksum.fill's request with its packet as bytes. */
export function readFillRequest(params: Params): { packet: Uint8Array; state: ChecksumState; gso: boolean } {
  const { packet, state, gso } = checksumFill.readRequest(params);
  return { packet: fromHex(packet), state, gso };
}

export function readCheckentryRequest(params: Params): ChecksumRule {
  const { family, table, hook, operation, proto, invertProto } = checksumCheckentry.readRequest(params);
  return { family, table, hook, operation, proto, invertProto };
}
