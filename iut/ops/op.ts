// One protocol op as a contract: its name, the declared shapes of its request
// and reply, and their readers and writers. The adapter side reads requests
// (a request it cannot represent is answered `invalid`); the suite side writes
// requests and reads replies (a reply off the contract is an IutError, a
// harness-level fault).
import type { Static, TSchema } from "typebox";
import { AdapterReplyError, IutError, type Iut } from "../iut.js";
import { shape, shown, type Shape } from "./codec.js";
import type { Params, Result } from "./common.js";

/** A rule JSON Schema cannot state (an order, a field present only when another is 0): its problem or undefined. */
export type Refinement<T> = (value: T) => string | undefined;

export interface OpContract<Req extends TSchema, Rep extends TSchema> {
  readonly op: string;
  readonly request: Shape<Req>;
  readonly reply: Shape<Rep>;
  /** Adapter side: the request's parameters, or AdapterReplyError `invalid` naming the op and the field. */
  readRequest(params: Params): Static<Req>;
  /** Suite side: the reply, or IutError naming the op and the field. */
  readReply(reply: Result): Static<Rep>;
  /** Adapter side: a reply as it travels. */
  writeReply(reply: Static<Rep>): Result;
  /** Suite side: sends the request and reads the reply strictly. */
  call(iut: Iut, request: Static<Req>): Promise<Static<Rep>>;
}

export function defineOp<Req extends TSchema, Rep extends TSchema>(
  op: string,
  requestSchema: Req,
  replySchema: Rep,
  rules: { request?: Refinement<Static<Req>>; reply?: Refinement<Static<Rep>> } = {},
): OpContract<Req, Rep> {
  const request = shape(requestSchema);
  const reply = shape(replySchema);
  const readReply = (value: Result): Static<Rep> => {
    const problem = reply.problem(value) ?? rules.reply?.(value as Static<Rep>);
    if (problem !== undefined) throw new IutError(`reply to ${op}: ${problem}`, shown(value));
    return value as Static<Rep>;
  };
  return {
    op,
    request,
    reply,
    readRequest(params) {
      const problem = request.problem(params) ?? rules.request?.(params as Static<Req>);
      if (problem !== undefined) throw new AdapterReplyError("invalid", op, problem);
      return params as Static<Req>;
    },
    readReply,
    writeReply: (value) => value as Result,
    call: async (iut, value) => readReply(await iut.call(op, value as Params)),
  };
}

/** The adapter declines a request it cannot represent (a reason beyond the declared shape). */
export function invalid(op: string, message: string): AdapterReplyError {
  return new AdapterReplyError("invalid", op, message);
}

/** The adapter declines a variant it does not implement (a field it cannot set, an attach point). */
export function unsupported(op: string, message: string): AdapterReplyError {
  return new AdapterReplyError("unsupported", op, message);
}
