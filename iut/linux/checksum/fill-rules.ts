// The rule behind checksum.fill, as iptables-nft would install
// `iptables -t mangle -A POSTROUTING -j CHECKSUM --checksum-fill` (an nft_compat
// target in a table named mangle, priority -150). It spares packets carrying
// SKIP_MARK, so a test can see the partial value a sender left; everything
// else meets it, with no per-packet marking on the hot path.
import { hostU32 } from "../../../wire/netlink/bytes.js";
import * as N from "../../../wire/netlink/nftables.js";
import { NFPROTO_IPV4, NFPROTO_IPV6 } from "../../../wire/netlink/nfnetlink.js";
import type { NftSession } from "../nft-session.js";

export const SKIP_MARK = 0x6e66736b;
const FILL_CHAIN = "nfconform_fill";

export function installFillRules(session: NftSession): void {
  for (const family of [NFPROTO_IPV4, NFPROTO_IPV6]) {
    const outcome = session.apply([
      N.newTable({ family, name: "mangle" }),
      N.newChain({
        family,
        table: "mangle",
        name: FILL_CHAIN,
        type: "filter",
        hook: { hooknum: N.NF_INET_POST_ROUTING, priority: -150 },
        policy: N.NF_ACCEPT,
      }),
      N.newRule({
        family,
        table: "mangle",
        chain: FILL_CHAIN,
        expressions: [
          { kind: "meta", key: N.NFT_META_MARK, dreg: N.NFT_REG_1 },
          { kind: "cmp", sreg: N.NFT_REG_1, op: N.NFT_CMP_NEQ, data: hostU32(SKIP_MARK) },
          { kind: "counter" },
          {
            kind: "target",
            name: "CHECKSUM",
            rev: N.XT_CHECKSUM_REVISION,
            info: N.checksumTargetInfo(N.XT_CHECKSUM_OP_FILL),
          },
        ],
      }),
    ]);
    if (!outcome.committed) throw new Error(`installing the CHECKSUM rule failed: errno ${outcome.errnos.join(", ")}`);
  }
}
