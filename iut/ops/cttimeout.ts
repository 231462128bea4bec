// Area `cttimeout`: conntrack timeout policy objects (docs/adapter-protocol.md).
import Type from "typebox";
import type { AttachRequest } from "../../model/cttimeout/users.js";
import { fromHex } from "../../wire/hex.js";
import { CTNL_TIMEOUT_NAME_MAX } from "../../wire/netlink/cttimeout.js";
import { NFPROTO_IPV4, NFPROTO_IPV6 } from "../../wire/netlink/nfnetlink.js";
import type { Params } from "./common.js";
import { ErrnoField, ErrnoReply, Hex, integer, NonEmptyString } from "./fields.js";
import { defineOp, invalid } from "./op.js";

/** `netlink` `{"messages": [hex, ...]}` -> `{"replies": [[hex, ...], ...]}` */
export const netlink = defineOp(
  "netlink",
  Type.Object({ messages: Type.Array(Hex) }),
  Type.Object({ replies: Type.Array(Type.Array(Hex)) }),
);

export const AttachFields = { name: Type.String(), l3proto: integer(0, 0xffff), l4proto: integer(0, 255) };

/** `cttimeout.attach` `{"name": str, "l3proto": int, "l4proto": int}` -> `{"errno": n, "ref": str}` */
export const cttimeoutAttach = defineOp(
  "cttimeout.attach",
  Type.Object(AttachFields),
  Type.Object({ errno: ErrnoField, ref: Type.Optional(Type.String()) }),
  { reply: (r) => (r.errno === 0 && r.ref === undefined ? `"ref" must be a string when errno is 0` : undefined) },
);

/** `cttimeout.detach` `{"ref": str}` -> `{"errno": n}` */
export const cttimeoutDetach = defineOp("cttimeout.detach", Type.Object({ ref: NonEmptyString }), ErrnoReply);

export function readNetlinkRequest(params: Params): Uint8Array[] {
  return netlink.readRequest(params).messages.map((m) => fromHex(m));
}

/** The user a rule can express: a family of the CT target, a name that fits timeout[32] without a NUL. */
export function readAttachRequest(params: Params): AttachRequest {
  const { name, l3proto, l4proto } = cttimeoutAttach.readRequest(params);
  const bytes = new TextEncoder().encode(name);
  const op = cttimeoutAttach.op;
  if (bytes.includes(0)) throw invalid(op, "a name with a NUL cannot be given to --timeout");
  if (bytes.length > CTNL_TIMEOUT_NAME_MAX)
    throw invalid(op, `a name of ${bytes.length} bytes does not fit xt_ct_target_info_v1.timeout[32]`);
  if (l3proto !== NFPROTO_IPV4 && l3proto !== NFPROTO_IPV6)
    throw invalid(op, `the CT target exists for l3proto 2 (ipv4) and 10 (ipv6) only, not ${l3proto}`);
  return { name: bytes, l3proto, l4proto };
}

export function readDetachRequest(params: Params): string {
  return cttimeoutDetach.readRequest(params).ref;
}
