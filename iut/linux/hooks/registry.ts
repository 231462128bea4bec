// The hooks registered through the protocol, as nftables base chains: name ->
// where the chain is, so unregister can delete it (and answer ENOENT for a
// name it never made) and reset can drop the tables that exist.
import type { HookFamily, HookName } from "../../../model/hooks/families.js";
import type { HookRegistration } from "../../../model/hooks/namespace.js";
import { ENOENT } from "../../../sys/errno.js";
import * as N from "../../../wire/netlink/nftables.js";
import type { NftSession } from "../nft-session.js";
import { chainEntries, HOOKS_TABLE, listPort, newHooksTable } from "./chain-rules.js";
import { decline } from "./decline.js";
import { chainHook } from "./kernel-hooks.js";

/** NFT_NAME_MAXLEN is 256 bytes with the terminating NUL. */
const MAX_NAME_BYTES = 255;

interface LiveChain {
  family: HookFamily;
  hook: HookName;
  nfproto: number;
}

export class HookChains {
  private readonly live = new Map<string, LiveChain>();
  /** Families whose table exists in the kernel. */
  private readonly tables = new Set<number>();

  constructor(private readonly session: NftSession) {}

  register(reg: HookRegistration): number {
    if (this.live.has(reg.name))
      throw decline(
        "hooks.register",
        `"${reg.name}" is registered already: the protocol leaves a second registration of a live name undefined`,
      );
    if (new TextEncoder().encode(reg.name).length > MAX_NAME_BYTES || reg.name.includes("\0")) {
      throw decline("hooks.register", `an nftables chain name holds at most ${MAX_NAME_BYTES} bytes and no NUL`);
    }
    const hook = chainHook(reg.family, reg.hook, reg.device);
    if ("decline" in hook) throw decline("hooks.register", hook.decline);
    const deviceHook = hook.device !== undefined;
    const plan = {
      nfproto: hook.nfproto,
      name: reg.name,
      hooknum: hook.hooknum,
      priority: reg.priority,
      verdict: reg.verdict,
      port: listPort(reg.hook, deviceHook ? reg.device : null),
      ...(deviceHook ? { device: hook.device } : {}),
    };
    const { errnos } = this.session.apply([newHooksTable(hook.nfproto), ...chainEntries(plan)]);
    const [table = -1, chain = -1, ...rules] = errnos;
    if (table !== 0 && chain === 0) throw new Error(`creating table ${HOOKS_TABLE} failed with errno ${table}`);
    if (chain === 0 && rules.some((e) => e !== 0))
      throw new Error(`the rules of chain ${reg.name} failed with errnos ${rules.join(", ")}`);
    // A refused chain aborts the whole batch (nfnetlink_rcv_batch): nothing is left behind.
    if (chain === 0) {
      this.live.set(reg.name, { family: reg.family, hook: reg.hook, nfproto: hook.nfproto });
      this.tables.add(hook.nfproto);
    }
    return chain;
  }

  /** DELCHAIN takes the chain's rules with it (measured: 0 on 6.18), and unregisters its hook. */
  unregister(name: string): number {
    const chain = this.live.get(name);
    if (!chain) return ENOENT;
    const { errnos } = this.session.apply([N.deleteChain(chain.nfproto, HOOKS_TABLE, name)]);
    if (errnos[0] !== 0) throw new Error(`deleting chain ${name} failed with errno ${errnos[0]}`);
    this.live.delete(name);
    return 0;
  }

  /** Deletes every table (and with it every chain): the state of a fresh instance. */
  reset(): void {
    if (this.tables.size > 0) {
      const { committed, errnos } = this.session.apply(
        [...this.tables].map((family) => N.deleteTable(family, HOOKS_TABLE)),
      );
      if (!committed) throw new Error(`deleting the hooks tables failed with errnos ${errnos.join(", ")}`);
    }
    this.tables.clear();
    this.live.clear();
  }
}
