// The running kernel as an IUT. It must run inside a network namespace of its
// own (`nfconform adapter linux` puts itself in one): it builds its test
// network there and answers the protocol's ops by driving the kernel. Each
// area contributes a LinuxArea: its ops, a reset, and what it must close.
import { machine, release, version as kernelVersion } from "node:os";
import { assertPrivateNetns } from "../../sys/namespace.js";
import { AdapterReplyError, type Iut } from "../iut.js";
import type { AreaName, Hello, Params, Result } from "../protocol.js";
import { checksumArea } from "./checksum/area.js";
import type { LinuxArea, LinuxContext } from "./linux-area.js";
import { NftSession } from "./nft-session.js";
import { setupTestNetwork } from "./test-network.js";

/** Every area the kernel IUT implements, in the order they are set up. */
const AREA_FACTORIES: readonly ((context: LinuxContext) => LinuxArea)[] = [checksumArea];

/** uname -srvm, as the reports name the kernel tested. */
export function kernelDescription(): string {
  return `Linux ${release()} ${kernelVersion()} ${machine()}`;
}

export class LinuxIut implements Iut {
  readonly spec = "linux";
  private readonly session: NftSession;
  private readonly areas: LinuxArea[];
  private readonly ops = new Map<string, LinuxArea>();

  constructor() {
    assertPrivateNetns("the Linux IUT");
    setupTestNetwork();
    this.session = new NftSession();
    this.areas = AREA_FACTORIES.map((make) => make({ session: this.session }));
    for (const area of this.areas) for (const op of Object.keys(area.handlers)) this.ops.set(op, area);
  }

  async hello(): Promise<Hello> {
    const profiles: Partial<Record<AreaName, string>> = {};
    for (const area of this.areas) profiles[area.name] = area.profile;
    return { name: "linux", version: kernelDescription(), areas: this.areas.map((a) => a.name), profiles };
  }

  async call(op: string, params: Params): Promise<Result> {
    if (op === "reset") {
      for (const area of this.areas) await area.reset();
      return {};
    }
    const area = this.ops.get(op);
    if (!area) throw new AdapterReplyError("unsupported", op, `the Linux adapter does not implement ${op} yet`);
    return area.handlers[op]!(params);
  }

  async close(): Promise<void> {
    for (const area of this.areas) area.close();
    this.session.close();
  }
}
