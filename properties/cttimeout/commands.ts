// A cttimeout case is a sequence of commands, plain JSON so it replays from a
// corpus file: raw netlink messages (hex) interleaved with users that attach
// to a policy by name and detach again. A detach names the attach it undoes
// by position among the case's attaches, so shrinking keeps it meaningful.

export interface NetlinkCommand {
  op: "netlink";
  /** One datagram per entry, each normally one netlink message. */
  messages: string[];
}
export interface AttachCommand {
  op: "attach";
  name: string;
  l3proto: number;
  l4proto: number;
}
export interface DetachCommand {
  op: "detach";
  /** Index among the sequence's earlier attach commands (modulo their number). */
  attach: number;
}
export type CttimeoutCommand = NetlinkCommand | AttachCommand | DetachCommand;

export interface SequenceInput {
  commands: CttimeoutCommand[];
}

/** What one command got back. A detach whose attach gave no reference is not sent. */
export type StepReply = { replies: string[][] } | { errno: number } | { skipped: true };

/** The attach command a detach refers to, by step index, or undefined when none precedes it. */
export function attachStepOf(commands: readonly CttimeoutCommand[], step: number): number | undefined {
  const c = commands[step];
  if (c?.op !== "detach") return undefined;
  const attaches = commands.slice(0, step).flatMap((d, i) => (d.op === "attach" ? [i] : []));
  return attaches.length === 0 ? undefined : attaches[c.attach % attaches.length];
}
