// The running kernel as an IUT. It must run inside a network namespace of its
// own (`nfconform adapter linux` puts itself in one). Each area gets a further
// namespace of its own with its own test network (if it sends packets) and
// nf_tables session, so no area's hooks, rules or sysctls show in another's;
// every request runs in the namespace of the area it belongs to. An area is
// set up on its first request (a run of one area starts no other), and a reset
// resets only the areas a request reached since the last one: an area no
// request reached is as fresh as it was. An area contributes a LinuxAreaKind (linux-area.ts).
import { machine, release, version as kernelVersion } from "node:os";
import { kernelHz } from "../../sys/kernel-hz.js";
import { assertPrivateNetns } from "../../sys/namespace.js";
import { NetworkNamespace } from "../../sys/netns.js";
import { AdapterReplyError, type Iut } from "../iut.js";
import type { AreaName, Hello, Params, Result } from "../ops/common.js";
import { optionalOpsOf } from "../ops/index.js";
import { checksumKind } from "./checksum/area.js";
import { bpfKind } from "./bpf/area.js";
import { hooksKind } from "./hooks/area.js";
import { cttimeoutKind } from "./cttimeout/area.js";
import { frag6Kind } from "./frag6/area.js";
import { bpfAttachFromEnv, bpfAttachNote } from "./bpf/attach.js";
import type { LinuxArea, LinuxAreaKind } from "./linux-area.js";
import { NftSession } from "./nft-session.js";
import { setupTestNetwork } from "./test-network.js";

/**
 * Every area the kernel IUT implements, in hello's order. frag6 drives the
 * plain IPv6 stack unless `--frag6 conntrack` (`--iut linux-nfct`) puts
 * conntrack's reassembler in front of it.
 */
const AREA_KINDS: readonly LinuxAreaKind[] = [checksumKind, bpfKind, hooksKind, cttimeoutKind, frag6Kind];

/** uname -srvm, as the reports name the kernel tested. */
/** The kernel a report's verdicts come from, with its HZ (timer rounding depends on it). */
export function kernelDescription(): string {
  return `Linux ${release()} ${kernelVersion()} ${machine()} HZ ${kernelHz()}`;
}

interface AreaInstance {
  area: LinuxArea;
  namespace: NetworkNamespace;
  session: NftSession;
  /** A request reached it since its last reset. */
  touched: boolean;
}

export class LinuxIut implements Iut {
  readonly spec = "linux";
  /** The adapter's own namespace: hello's probes run there, and every area's namespace is made from it. */
  private readonly home: NetworkNamespace;
  private readonly areas = new Map<AreaName, AreaInstance>();
  private readonly kindOfOp = new Map<string, LinuxAreaKind>();
  private profiles: Partial<Record<AreaName, string>> | undefined;

  constructor() {
    assertPrivateNetns("the Linux IUT");
    this.home = NetworkNamespace.current();
    for (const kind of AREA_KINDS) for (const op of kind.ops) this.kindOfOp.set(op, kind);
  }

  /** The area's instance, set up now if no request reached it yet; the calling thread is left in its namespace. */
  private open(kind: LinuxAreaKind): AreaInstance {
    const known = this.areas.get(kind.name);
    if (known) {
      known.namespace.enter();
      return known;
    }
    this.home.enter();
    const namespace = NetworkNamespace.create();
    let session: NftSession | undefined;
    try {
      if (kind.testNetwork !== false) setupTestNetwork();
      session = new NftSession();
      const area = kind.create({ session });
      const handled = Object.keys(area.handlers).sort().join(",");
      if (handled !== [...kind.ops].sort().join(","))
        throw new Error(`the Linux IUT's ${kind.name} area handles ${handled}, but declares ${kind.ops.join(",")}`);
      const instance = { area, namespace, session, touched: false };
      this.areas.set(kind.name, instance);
      return instance;
    } catch (error) {
      // A failed setup leaves nothing behind: the next request of the area tries again in a fresh namespace.
      session?.close();
      this.home.enter();
      namespace.close();
      throw error;
    }
  }

  /**
   * The calling thread joins an area's namespace: for cross-checks that run other tools (nfct, nft) there.
   * What they change is the next reset's to undo, as a request's.
   */
  enterArea(name: AreaName): void {
    const kind = AREA_KINDS.find((k) => k.name === name);
    if (!kind) throw new Error(`the Linux IUT has no area ${name}`);
    const instance = this.open(kind);
    instance.touched = true;
    instance.area.enter?.();
  }

  async hello(): Promise<Hello> {
    if (!this.profiles) {
      this.home.enter();
      this.profiles = Object.fromEntries(AREA_KINDS.map((k) => [k.name, k.profile()]));
    }
    return {
      name: "linux",
      version: `${kernelDescription()}${bpfAttachNote(bpfAttachFromEnv())}`,
      areas: AREA_KINDS.map((k) => k.name),
      profiles: { ...this.profiles },
      ops: optionalOpsOf(this.kindOfOp.keys()),
    };
  }

  async call(op: string, params: Params): Promise<Result> {
    if (op === "reset") {
      for (const instance of this.areas.values()) {
        if (!instance.touched) continue;
        instance.namespace.enter();
        await instance.area.reset();
        instance.touched = false;
      }
      return {};
    }
    const kind = this.kindOfOp.get(op);
    if (!kind) throw new AdapterReplyError("unsupported", op, `the Linux adapter does not implement ${op} yet`);
    const instance = this.open(kind);
    instance.touched = true;
    return instance.area.handlers[op]!(params);
  }

  async close(): Promise<void> {
    for (const { area, namespace, session } of this.areas.values()) {
      namespace.enter();
      area.close();
      session.close();
      namespace.close();
    }
    this.areas.clear();
    this.home.close();
  }
}
