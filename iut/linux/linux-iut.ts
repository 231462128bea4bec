// The running kernel as an IUT. It must run inside a network namespace of its
// own (`nfconform adapter linux` puts itself in one): it builds its test
// network there and answers the protocol's ops by driving the kernel.
import { release, version as kernelVersion, machine } from "node:os";
import { assertPrivateNetns } from "../../sys/namespace.js";
import { AdapterReplyError, type Iut } from "../iut.js";
import { readCheckentryRequest, readFillRequest } from "../model/checksum-handlers.js";
import type { AreaName, Hello, Params, Result } from "../protocol.js";
import { toHex } from "../../wire/hex.js";
import { LinuxChecksumCheckentry } from "./checksum/checkentry.js";
import { LinuxChecksumFill } from "./checksum/fill.js";
import { NftSession } from "./nft-session.js";
import { setupTestNetwork } from "./test-network.js";

export const LINUX_AREAS: Partial<Record<AreaName, string>> = { checksum: "linux" };

/** uname -srvm, as the reports name the kernel tested. */
export function kernelDescription(): string {
  return `Linux ${release()} ${kernelVersion()} ${machine()}`;
}

export class LinuxIut implements Iut {
  readonly spec = "linux";
  private readonly session: NftSession;
  private readonly checkentry: LinuxChecksumCheckentry;
  private readonly fill: LinuxChecksumFill;

  constructor() {
    assertPrivateNetns("the Linux IUT");
    setupTestNetwork();
    this.session = new NftSession();
    this.checkentry = new LinuxChecksumCheckentry(this.session);
    this.fill = new LinuxChecksumFill(this.session);
  }

  async hello(): Promise<Hello> {
    return { name: "linux", version: kernelDescription(), areas: Object.keys(LINUX_AREAS) as AreaName[], profiles: LINUX_AREAS };
  }

  async call(op: string, params: Params): Promise<Result> {
    switch (op) {
      case "reset":
        // The checksum ops keep no state between cases (the fill rule is fixed,
        // checkentry rules never match and are flushed as they pile up).
        return {};
      case "checksum.fill": {
        const { packet, state, gso } = readFillRequest(params);
        return { packet: toHex(this.fill.fill(packet, state, gso)) };
      }
      case "checksum.checkentry":
        return { errno: this.checkentry.errno(readCheckentryRequest(params)) };
      default:
        throw new AdapterReplyError("unsupported", op, `the Linux adapter does not implement ${op} yet`);
    }
  }

  async close(): Promise<void> {
    this.fill.close();
    this.session.close();
  }
}
