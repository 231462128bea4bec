// The checksum area on the kernel: checkentry through nft_compat, fill through
// the kernel's own paths (fill.ts).
import { toHex } from "../../../wire/hex.js";
import { checksumCheckentry, checksumFill, readCheckentryRequest, readFillRequest } from "../../ops/checksum.js";
import type { LinuxArea, LinuxAreaKind, LinuxContext } from "../linux-area.js";
import { LinuxChecksumCheckentry } from "./checkentry.js";
import { LinuxChecksumFill } from "./fill.js";

export const checksumKind: LinuxAreaKind = {
  name: "checksum",
  ops: [checksumFill.op, checksumCheckentry.op],
  profile: () => "linux",
  create: checksumArea,
};

function checksumArea({ session }: LinuxContext): LinuxArea {
  const checkentry = new LinuxChecksumCheckentry(session);
  const fill = new LinuxChecksumFill(session);
  return {
    handlers: {
      "checksum.fill": (params) => {
        const { packet, state, gso } = readFillRequest(params);
        return checksumFill.writeReply({ packet: toHex(fill.fill(packet, state, gso)) });
      },
      "checksum.checkentry": (params) =>
        checksumCheckentry.writeReply({ errno: checkentry.errno(readCheckentryRequest(params)) }),
    },
    // No state between cases: the fill rules are fixed, checkentry rules never
    // match and are flushed as they pile up.
    reset: () => {},
    close: () => fill.close(),
  };
}
