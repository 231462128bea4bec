// What an area of the kernel IUT provides. Areas share the namespace, its test
// network (test-network.ts) and one nf_tables session.
import type { AreaName, Params, Result } from "../ops/common.js";
import type { NftSession } from "./nft-session.js";

export interface LinuxContext {
  session: NftSession;
}

export interface LinuxArea {
  name: AreaName;
  /** The profile the kernel claims in this area (current Linux: "linux", or a Linux profile such as frag6's). */
  profile: string;
  /** Protocol ops, each answering one request (throw AdapterReplyError to decline or refuse). */
  handlers: Record<string, (params: Params) => Result | Promise<Result>>;
  /** Drops this area's state before a case, as a freshly started instance. */
  reset(): void | Promise<void>;
  close(): void;
}
