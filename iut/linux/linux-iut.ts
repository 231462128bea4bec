// The running kernel as an IUT. It must run inside a network namespace of its
// own (`nfconform adapter linux` puts itself in one). Each area gets a further
// namespace of its own with its own test network and nf_tables session, so no
// area's hooks, rules or sysctls show in another's; every request runs in the
// namespace of the area it belongs to. An area contributes a LinuxArea: its
// ops, a reset, and what it must close.
import { machine, release, version as kernelVersion } from "node:os";
import { assertPrivateNetns } from "../../sys/namespace.js";
import { NetworkNamespace } from "../../sys/netns.js";
import { AdapterReplyError, type Iut } from "../iut.js";
import type { AreaName, Hello, Params, Result } from "../ops/common.js";
import { optionalOpsOf } from "../ops/index.js";
import { checksumArea } from "./checksum/area.js";
import { bpfArea } from "./bpf/area.js";
import { hooksArea } from "./hooks/area.js";
import { cttimeoutArea } from "./cttimeout/area.js";
import { frag6Area } from "./frag6/area.js";
import type { LinuxArea, LinuxContext } from "./linux-area.js";
import { NftSession } from "./nft-session.js";
import { setupTestNetwork } from "./test-network.js";

/**
 * Every area the kernel IUT implements, in the order they are set up. frag6
 * drives the plain IPv6 stack unless `--frag6 conntrack` (`--iut linux-nfct`)
 * puts conntrack's reassembler in front of it.
 */
const AREA_FACTORIES: readonly ((context: LinuxContext) => LinuxArea)[] = [
  checksumArea,
  bpfArea,
  hooksArea,
  cttimeoutArea,
  frag6Area,
];

/** uname -srvm, as the reports name the kernel tested. */
export function kernelDescription(): string {
  return `Linux ${release()} ${kernelVersion()} ${machine()}`;
}

interface AreaInstance {
  area: LinuxArea;
  namespace: NetworkNamespace;
  session: NftSession;
}

export class LinuxIut implements Iut {
  readonly spec = "linux";
  private readonly areas: AreaInstance[];
  private readonly ops = new Map<string, AreaInstance>();

  constructor() {
    assertPrivateNetns("the Linux IUT");
    this.areas = AREA_FACTORIES.map((make) => {
      const namespace = NetworkNamespace.create();
      setupTestNetwork();
      const session = new NftSession();
      return { area: make({ session }), namespace, session };
    });
    for (const instance of this.areas) for (const op of Object.keys(instance.area.handlers)) this.ops.set(op, instance);
  }

  /** The calling thread joins an area's namespace: for cross-checks that run other tools (nfct, nft) there. */
  enterArea(name: AreaName): void {
    const instance = this.areas.find((a) => a.area.name === name);
    if (!instance) throw new Error(`the Linux IUT has no area ${name}`);
    instance.namespace.enter();
  }

  async hello(): Promise<Hello> {
    const profiles: Partial<Record<AreaName, string>> = {};
    for (const { area } of this.areas) profiles[area.name] = area.profile;
    return {
      name: "linux",
      version: kernelDescription(),
      areas: this.areas.map((a) => a.area.name),
      profiles,
      ops: optionalOpsOf(this.ops.keys()),
    };
  }

  async call(op: string, params: Params): Promise<Result> {
    if (op === "reset") {
      for (const { area, namespace } of this.areas) {
        namespace.enter();
        await area.reset();
      }
      return {};
    }
    const instance = this.ops.get(op);
    if (!instance) throw new AdapterReplyError("unsupported", op, `the Linux adapter does not implement ${op} yet`);
    instance.namespace.enter();
    return instance.area.handlers[op]!(params);
  }

  async close(): Promise<void> {
    for (const { area, namespace, session } of this.areas) {
      namespace.enter();
      area.close();
      session.close();
      namespace.close();
    }
  }
}
