// The hooks registered through the protocol, as nftables base chains: name ->
// where the chain is, so unregister can delete it (and answer ENOENT for a
// name it never made) and reset can drop the tables that exist.
//
// A run of registrations and unregistrations (hooks.batch) goes in as few
// transactions as the kernel lets it, with each step answering exactly what
// it answers alone. A transaction that commits proves each of its steps
// succeeded as it would have alone, in order. One that is refused tells which
// step failed first: the steps before it are committed again without it, and
// it is redone alone, on the state they leave, so its errno (E2BIG, EEXIST,
// ...) is the one it gets alone. Until transactions commit again, they are
// kept small (1, 2, 4, ... steps), so a long run of refusals costs about one
// small transaction each, as step by step.
//
// Bridge chains live in the bridge's namespace (bridge-network.ts), through
// its own session: a transaction holds steps of one session only.
//
// In a partial batch, a step whose answer would be nftables' rather than the
// core's (kernel-hooks.ts: a device hook on a missing device, arp forward) is
// answered unjudged and sends nothing; its name is then unknown, so a later
// step naming it is unjudged too, until an unregister of it (after which the
// name is unregistered whatever the core had done).
import type { HookFamily, HookName } from "../../../model/hooks/families.js";
import type { HookRegistration } from "../../../model/hooks/namespace.js";
import { ENOENT } from "../../../sys/errno.js";
import { NFPROTO_BRIDGE, NFPROTO_INET, NFPROTO_IPV4, NFPROTO_IPV6 } from "../../../wire/netlink/nfnetlink.js";
import * as N from "../../../wire/netlink/nftables.js";
import type { BatchEntry } from "../../../wire/netlink/nfnetlink.js";
import { AdapterReplyError } from "../../iut.js";
import type { NftSession } from "../nft-session.js";
import { aimOf, chainEntries, HOOKS_TABLE, newHooksTable } from "./chain-rules.js";
import { BRNF_HOOKS } from "./bridge-network.js";
import type { UnjudgedReply } from "../../ops/hooks.js";
import { decline, Unjudgeable } from "./decline.js";
import { chainHook, type SharedRefusal } from "./kernel-hooks.js";
import type { KernelOwnEntries } from "./lsm-hooks.js";

/** NFT_NAME_MAXLEN is 256 bytes with the terminating NUL. */
const MAX_NAME_BYTES = 255;

/**
 * A transaction holds at most this many steps and bytes: the batch is one
 * sendmsg() (net.core.wmem_default, 208 KiB, bounds it) and its error replies
 * must fit the session's receive buffer (1 MiB) should every entry fail.
 */
const MAX_STEPS = 256;
const MAX_BYTES = 128 * 1024;

interface LiveChain {
  family: HookFamily;
  hook: HookName;
  nfproto: number;
}

export type ChainStep = { op: "register"; registration: HookRegistration } | { op: "unregister"; name: string };

/** What a step answers: an errno, unjudged (in a partial batch), or the decline it is answered with (`invalid`). */
export type ChainReply = number | UnjudgedReply | AdapterReplyError;

/** A step as a transaction would carry it, planned on the state the steps before it leave. */
interface Planned {
  op: ChainStep["op"];
  /** The family whose namespace's session carries the step; null for one that asks the kernel nothing. */
  nfproto: number | null;
  entries: BatchEntry[];
  /** Where the step's own entry is (the chain it makes or deletes); -1 without one. */
  own: number;
  /** The reply when the step's entries succeed. */
  reply: number | UnjudgedReply;
  /** What the step changes in what this side remembers. */
  effect: (state: State) => void;
  /** A refusal nftables and the core share: nftables' errno is reported as the core's. */
  refusal?: SharedRefusal;
}

interface State {
  live: Map<string, LiveChain>;
  /** Names of unjudged steps: whether the core would hold them is not known here. */
  unknown: Set<string>;
  /** Families whose table exists in the kernel. */
  tables: Set<number>;
}

/** Bytes an entry takes in a batch (nlmsghdr, nfgenmsg, attributes). */
function entryBytes(entry: BatchEntry): number {
  return 20 + 4 + entry.attributes.reduce((n, a) => n + a.length, 0);
}

/** The session of a family's namespace. */
export type SessionOf = (nfproto: number) => NftSession;

/** Bridge chains go to the bridge's namespace, every other family's to the area's. */
const sideOf = (nfproto: number) => (nfproto === NFPROTO_BRIDGE ? "bridge" : "area");

export class HookChains {
  private state: State = { live: new Map(), unknown: new Set(), tables: new Set() };

  /** `lsm`: the entries a security module holds in the area's namespace (lsm-hooks.ts). */
  constructor(
    private readonly sessionOf: SessionOf,
    private readonly lsm: KernelOwnEntries | null = null,
  ) {}

  register(registration: HookRegistration): number {
    return answered(this.apply([{ op: "register", registration }])[0]!);
  }

  /** DELCHAIN takes the chain's rules with it (measured: 0 on 6.18), and unregisters its hook. */
  unregister(name: string): number {
    return answered(this.apply([{ op: "unregister", name }])[0]!);
  }

  /**
   * Applies the steps in order, each answering what it answers alone; a
   * declined step is the last one applied (its AdapterReplyError last). With
   * `partial`, a step nftables would answer for the core is unjudged instead.
   */
  apply(steps: readonly ChainStep[], partial = false): ChainReply[] {
    const replies: ChainReply[] = [];
    let size = MAX_STEPS;
    while (replies.length < steps.length) {
      const { planned, declined } = this.plan(steps.slice(replies.length, replies.length + size), partial);
      const entries = planned.flatMap((p) => p.entries);
      const nfproto = planned.find((p) => p.nfproto !== null)?.nfproto;
      const { errnos } =
        nfproto !== undefined && nfproto !== null
          ? this.sessionOf(nfproto).apply(entries, { acks: "last" })
          : { errnos: [] };
      // Which step failed first: each step's errnos are at its offset in the batch.
      let offset = 0;
      const failed = planned.findIndex((p) => {
        const mine = errnos.slice(offset, offset + p.entries.length);
        offset += p.entries.length;
        return mine.some((e) => e !== 0);
      });
      if (failed < 0) {
        for (const p of planned) {
          p.effect(this.state);
          replies.push(p.reply);
        }
        if (declined) return [...replies, declined];
        size = Math.min(size * 2, MAX_STEPS);
      } else if (failed > 0) {
        size = failed; // the steps before it, without it: they commit as they did
      } else {
        // The first step failed on the committed state: as it fails alone.
        replies.push(refusal(planned[0]!, errnos.slice(0, planned[0]!.entries.length)));
        size = 1;
      }
    }
    return replies;
  }

  /** Deletes every table (and with it every chain): the state of a fresh instance. */
  reset(): void {
    for (const side of ["area", "bridge"]) {
      const families = [...this.state.tables].filter((family) => sideOf(family) === side);
      if (families.length === 0) continue;
      const { committed, errnos } = this.sessionOf(families[0]!).apply(
        families.map((family) => N.deleteTable(family, HOOKS_TABLE)),
      );
      if (!committed) throw new Error(`deleting the hooks tables failed with errnos ${errnos.join(", ")}`);
    }
    this.state = { live: new Map(), unknown: new Set(), tables: new Set() };
  }

  /**
   * The steps as one transaction, on the committed state, up to the first
   * declined one (returned apart: it is answered, not sent). A registration
   * after an unregistration ends the plan: DELCHAIN unhooks only at commit
   * (nf_tables_commit()), so in the same transaction the deleted hook would
   * still count against the list's 1024.
   */
  private plan(steps: readonly ChainStep[], partial: boolean): { planned: Planned[]; declined?: AdapterReplyError } {
    const state: State = {
      live: new Map(this.state.live),
      unknown: new Set(this.state.unknown),
      tables: new Set(this.state.tables),
    };
    const planned: Planned[] = [];
    let bytes = 0;
    let deleted = false;
    let side: string | null = null;
    for (const step of steps) {
      if (step.op === "register" && deleted) break;
      let p: Planned;
      try {
        p =
          step.op === "register" ? planRegister(step.registration, state, this.lsm) : planUnregister(step.name, state);
      } catch (error) {
        if (partial && error instanceof Unjudgeable) p = unjudged(step, error.detail);
        // Declined on the state the planned steps leave: the answer once they commit.
        else if (error instanceof AdapterReplyError) return { planned, declined: error };
        else throw error;
      }
      if (p.nfproto !== null) {
        if (side !== null && sideOf(p.nfproto) !== side) break;
        side = sideOf(p.nfproto);
      }
      bytes += p.entries.reduce((n, e) => n + entryBytes(e), 0);
      if (planned.length > 0 && bytes > MAX_BYTES) break;
      p.effect(state);
      planned.push(p);
      if (step.op === "unregister" && p.entries.length > 0) deleted = true;
    }
    return { planned };
  }
}

/** A step's errno alone, or the decline it throws when it stands alone (never unjudged: not partial). */
function answered(reply: ChainReply): number {
  if (typeof reply === "number") return reply;
  if (reply instanceof AdapterReplyError) throw reply;
  throw new Error(`a step alone was answered unjudged: ${reply.unjudged}`);
}

/**
 * A step answered unjudged: nothing is sent. After a registration its name is
 * unknown; after an unregistration it is unregistered in every case (the core
 * removes it, or never had it).
 */
function unjudged(step: ChainStep, why: string): Planned {
  const name = step.op === "register" ? step.registration.name : step.name;
  return {
    op: step.op,
    nfproto: null,
    entries: [],
    own: -1,
    reply: { unjudged: why },
    effect: (s) => (step.op === "register" ? s.unknown.add(name) : s.unknown.delete(name)),
  };
}

/** A step naming a hook whose registration was unjudged. */
const UNKNOWN_NAME = "its name's registration was not judged, so what the core holds under it is not known";

/** The table (if its family has none yet), the chain and its rules: the chain's ack is the errno. */
function planRegister(reg: HookRegistration, state: State, lsm: KernelOwnEntries | null): Planned {
  if (state.live.has(reg.name))
    throw decline(
      "hooks.register",
      `"${reg.name}" is registered already: the protocol leaves a second registration of a live name undefined`,
    );
  if (new TextEncoder().encode(reg.name).length > MAX_NAME_BYTES || reg.name.includes("\0")) {
    throw decline("hooks.register", `an nftables chain name holds at most ${MAX_NAME_BYTES} bytes and no NUL`);
  }
  if (state.unknown.has(reg.name)) throw new Unjudgeable("hooks.register", UNKNOWN_NAME);
  const hook = chainHook(reg.family, reg.hook, reg.device);
  if ("decline" in hook) throw decline("hooks.register", hook.decline);
  if ("unjudged" in hook) throw new Unjudgeable("hooks.register", hook.unjudged);
  const kernelOwn = reg.family === "bridge" ? (BRNF_HOOKS[reg.hook] ?? 0) : 0;
  if (kernelOwn > 0 && listed(state, reg.family, reg.hook) + kernelOwn >= MAX_HOOK_COUNT)
    throw decline(
      "hooks.register",
      `bridge ${reg.hook}: br_netfilter's own hook (br_nf_ops, registered in every namespace with a bridge) holds ${kernelOwn} of this list's ${MAX_HOOK_COUNT} entries, so the kernel refuses this registration where the protocol's namespace has room`,
    );
  const deviceHook = hook.device !== undefined;
  if (lsm && !deviceHook) {
    const full = fullByLsm(lsm, hook.nfproto, reg.hook, state);
    if (full)
      throw decline(
        "hooks.register",
        `${reg.family} ${reg.hook}: ${lsm.holder} holds ${full.own} of the ${full.list} list's ${MAX_HOOK_COUNT} entries in every namespace, so the kernel refuses this registration where the protocol's namespace has room`,
      );
  }
  const aim = aimOf(reg.family, reg.hook, deviceHook ? reg.device : null);
  if (!aim && !hook.refusal)
    throw new Error(`no probe is aimed at ${reg.family} ${reg.hook}, yet nftables has a chain for it`);
  const plan = {
    nfproto: hook.nfproto,
    name: reg.name,
    hooknum: hook.hooknum,
    priority: reg.priority,
    verdict: reg.verdict,
    aim,
    ...(deviceHook ? { device: hook.device } : {}),
  };
  const table = state.tables.has(hook.nfproto) ? [] : [newHooksTable(hook.nfproto)];
  return {
    op: "register",
    nfproto: hook.nfproto,
    entries: [...table, ...chainEntries(plan)],
    own: table.length,
    reply: 0,
    ...(hook.refusal ? { refusal: hook.refusal } : {}),
    effect: (s) => {
      s.live.set(reg.name, { family: reg.family, hook: reg.hook, nfproto: hook.nfproto });
      s.tables.add(hook.nfproto);
    },
  };
}

/** MAX_HOOK_COUNT (net/netfilter/core.c). */
const MAX_HOOK_COUNT = 1024;

/** The live chains of one (family, hook) list. */
function listed(state: State, family: HookFamily, hook: HookName): number {
  let n = 0;
  for (const chain of state.live.values()) if (chain.family === family && chain.hook === hook) n++;
  return n;
}

/** The lists an nftables chain of this family hooks into: inet's are ipv4's and ipv6's. */
const LISTS_OF: Record<number, readonly number[]> = {
  [NFPROTO_IPV4]: [NFPROTO_IPV4],
  [NFPROTO_IPV6]: [NFPROTO_IPV6],
  [NFPROTO_INET]: [NFPROTO_IPV4, NFPROTO_IPV6],
};

/**
 * The first list of this registration that the LSM's entries fill: our live
 * chains in it (ip or ip6 ones and inet ones) plus the LSM's reach
 * MAX_HOOK_COUNT; null when every list has room for one more.
 */
function fullByLsm(
  lsm: KernelOwnEntries,
  nfproto: number,
  hook: HookName,
  state: State,
): { list: string; own: number } | null {
  for (const list of LISTS_OF[nfproto] ?? []) {
    const own = lsm.lists.get(list)?.[hook] ?? 0;
    if (own === 0) continue;
    let ours = 0;
    for (const chain of state.live.values())
      if (chain.hook === hook && (LISTS_OF[chain.nfproto] ?? []).includes(list)) ours++;
    if (ours + own >= MAX_HOOK_COUNT) return { list: list === NFPROTO_IPV4 ? "ipv4" : "ipv6", own };
  }
  return null;
}

/** One DELCHAIN; an unknown name is ENOENT without asking the kernel. */
function planUnregister(name: string, state: State): Planned {
  if (state.unknown.has(name)) throw new Unjudgeable("hooks.unregister", UNKNOWN_NAME);
  const chain = state.live.get(name);
  if (!chain) return { op: "unregister", nfproto: null, entries: [], own: -1, reply: ENOENT, effect: () => {} };
  return {
    op: "unregister",
    nfproto: chain.nfproto,
    entries: [N.deleteChain(chain.nfproto, HOOKS_TABLE, name)],
    own: 0,
    reply: 0,
    effect: (s) => s.live.delete(name),
  };
}

/**
 * A step that failed first in its transaction: a refused chain is the
 * registration's errno (the whole transaction aborted: nothing is left
 * behind); any other failure is the area's own fault.
 */
function refusal(p: Planned, errnos: readonly number[]): number {
  const own = errnos[p.own] ?? -1;
  if (p.op === "unregister") throw new Error(`deleting a chain failed with errno ${own}`);
  const table = p.own > 0 ? errnos[0]! : 0;
  const rules = errnos.slice(p.own + 1);
  if (own === 0 && table !== 0) throw new Error(`creating table ${HOOKS_TABLE} failed with errno ${table}`);
  if (own === 0) throw new Error(`the rules of a chain failed with errnos ${rules.join(", ")}`);
  // A refused chain aborts the whole batch (nfnetlink_rcv_batch): nothing is left behind.
  return p.refusal && own === p.refusal.nftables ? p.refusal.core : own;
}
