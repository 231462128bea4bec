// What an area of the kernel IUT provides. Each area is set up in a namespace
// of its own (linux-iut.ts) with its test network (unless it sends no packets)
// and one nf_tables session.
import type { AreaName, Params, Result } from "../ops/common.js";
import type { NftSession } from "./nft-session.js";

export interface LinuxContext {
  session: NftSession;
}

export interface LinuxArea {
  /** Protocol ops, each answering one request (throw AdapterReplyError to decline or refuse). */
  handlers: Record<string, (params: Params) => Result | Promise<Result>>;
  /** Drops this area's state before a case, as a freshly started instance. */
  reset(): void | Promise<void>;
  /**
   * Moves the calling thread to where the area's state is now, when that is not the namespace it was set up in
   * (cttimeout turns through namespaces of its own): for cross-checks that run other tools there.
   */
  enter?(): void;
  close(): void;
}

/**
 * An area as the kernel IUT knows it before setting it up: its hello facts and
 * how to set it up. The IUT sets an area up on its first request, so a run of
 * one area never pays for the other four (namespaces, nft sessions, sockets).
 */
export interface LinuxAreaKind {
  name: AreaName;
  /** The ops its handlers answer (create() checks they match). */
  ops: readonly string[];
  /** The profile the kernel claims in this area (current Linux: "linux", or a Linux profile such as frag6's). */
  profile(): string;
  /** false: the area sends no packets, so its namespace gets no test network (default true). */
  testNetwork?: boolean;
  /** Sets the area up in the namespace the calling thread is in (a fresh one, with its test network unless testNetwork is false). */
  create(context: LinuxContext): LinuxArea;
}
