// The checksum ops as seen from the suite: send, then read the reply strictly.
import type { Iut } from "../../iut/iut.js";
import { checksumCheckentry, checksumFill } from "../../iut/ops/checksum.js";
import type { ChecksumRule } from "../../model/checksum/checkentry.js";
import type { ChecksumState } from "../../model/checksum/checksum-target.js";
import { fromHex, toHex } from "../../wire/hex.js";

export async function iutFill(iut: Iut, packet: Uint8Array, state: ChecksumState, gso: boolean): Promise<Uint8Array> {
  const reply = await checksumFill.call(iut, { packet: toHex(packet), state, gso });
  return fromHex(reply.packet);
}

export async function iutCheckentry(iut: Iut, rule: ChecksumRule): Promise<number> {
  return (await checksumCheckentry.call(iut, { ...rule })).errno;
}
