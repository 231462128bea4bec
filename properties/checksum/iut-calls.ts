// The checksum ops as seen from the suite: send, then read the reply strictly.
import type { Iut } from "../../iut/iut.js";
import { replyErrno, replyHex } from "../../iut/reply-fields.js";
import type { ChecksumRule } from "../../model/checksum/checkentry.js";
import type { ChecksumState } from "../../model/checksum/checksum-target.js";
import { toHex } from "../../wire/hex.js";

export async function iutFill(iut: Iut, packet: Uint8Array, state: ChecksumState, gso: boolean): Promise<Uint8Array> {
  const reply = await iut.call("checksum.fill", { packet: toHex(packet), state, gso });
  return replyHex(reply, "checksum.fill", "packet");
}

export async function iutCheckentry(iut: Iut, rule: ChecksumRule): Promise<number> {
  const reply = await iut.call("checksum.checkentry", { ...rule });
  return replyErrno(reply, "checksum.checkentry");
}
