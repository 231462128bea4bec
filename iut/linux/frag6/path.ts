// Which reassembler the frag6 kernel IUT drives, chosen with
// `nfconform adapter linux --frag6 plain|conntrack` and passed to the copy of
// the adapter inside the namespace through the environment. Kept apart from
// area.ts so the CLI can read it without loading the kernel IUT.
import type { Frag6Path } from "./case-network.js";

export const FRAG6_PATH_ENV = "NFCONFORM_FRAG6_PATH";

/** The reassembler chosen with --frag6: the plain stack unless conntrack was asked for. */
export function frag6PathFromEnv(): Frag6Path {
  return process.env[FRAG6_PATH_ENV] === "conntrack" ? "conntrack" : "plain";
}
