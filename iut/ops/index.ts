// Every op of the adapter protocol, and the JSON Schema of all of them
// (`nfconform schema`, checked in as docs/adapter-protocol.schema.json).
import type { TSchema } from "typebox";
import { BPF_RUN_META, bpfLoad, bpfRun, bpfUnload } from "./bpf.js";
import { checksumCheckentry, checksumFill } from "./checksum.js";
import {
  ErrorReply,
  HelloReply,
  HelloRequest,
  PROTOCOL_VERSION,
  ReplyEnvelope,
  RequestEnvelope,
  ResetReply,
  ResetRequest,
} from "./common.js";
import { cttimeoutAttach, cttimeoutDetach, netlink } from "./cttimeout.js";
import { frag6Run } from "./frag6.js";
import { hooksBatch, hooksRegister, hooksTraverse, hooksUnregister } from "./hooks.js";
import { hooksFragments } from "./hooks-fragments.js";

export const AREA_OPS = [
  hooksRegister,
  hooksUnregister,
  hooksTraverse,
  hooksBatch,
  hooksFragments,
  frag6Run,
  checksumFill,
  checksumCheckentry,
  bpfLoad,
  bpfRun,
  bpfUnload,
  netlink,
  cttimeoutAttach,
  cttimeoutDetach,
] as const;

/**
 * Ops an adapter may leave out although it implements their area: it lists
 * the ones it has in hello's `ops`, and the suite sends them only then
 * (docs/adapter-protocol.md, "Optional ops"): hooks.batch stands for single
 * steps; hooks.fragments has no stand-in, so its cases are declined.
 */
export const OPTIONAL_OPS: readonly string[] = [hooksBatch.op, hooksFragments.op];

/**
 * The optional ops among an IUT's handlers, for its hello, and the optional
 * request fields they take: every bpf.run handler of the suite reads `meta`
 * (answering `unsupported` for a field it cannot set), so it lists BPF_RUN_META.
 */
export function optionalOpsOf(handled: Iterable<string>): string[] {
  const have = new Set(handled);
  return [...OPTIONAL_OPS.filter((op) => have.has(op)), ...(have.has(bpfRun.op) ? [BPF_RUN_META] : [])];
}

/** Plain JSON of a declaration (TypeBox keeps nothing else on it, but say so). */
function json(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema));
}

/** The JSON Schema of every request and reply, keyed by op, with the envelope and error reply. */
export function protocolSchema(): Record<string, unknown> {
  const ops: Record<string, { request: unknown; reply: unknown }> = {
    hello: { request: json(HelloRequest.schema), reply: json(HelloReply.schema) },
    reset: { request: json(ResetRequest.schema), reply: json(ResetReply.schema) },
  };
  for (const c of AREA_OPS) ops[c.op] = { request: json(c.request.schema), reply: json(c.reply.schema) };
  return {
    title: `nfconform adapter protocol, version ${PROTOCOL_VERSION}`,
    description:
      "Generated from iut/ops/*.ts by `nfconform schema`; docs/adapter-protocol.md says what each field means. " +
      "Each entry under envelope, error and ops is a JSON Schema (draft-07). " +
      "A request is its envelope plus its op's request fields; a reply is its envelope plus its op's reply, or the error reply. " +
      "Objects may carry fields not listed (additions an old adapter ignores).",
    version: PROTOCOL_VERSION,
    envelope: { request: json(RequestEnvelope.schema), reply: json(ReplyEnvelope.schema) },
    error: json(ErrorReply.schema),
    ops,
  };
}
