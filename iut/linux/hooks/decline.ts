import { AdapterReplyError } from "../../iut.js";

/** The request cannot be realized on the kernel: answered `invalid`, with the reason. */
export function decline(op: string, message: string): AdapterReplyError {
  return new AdapterReplyError("invalid", op, message);
}

/**
 * A step whose answer would be an interface's, not the core's, and whose
 * effect no later step can see: alone (or in a batch that is not partial) a
 * decline; in a partial hooks.batch the step is answered `{"unjudged": why}`
 * and the batch goes on.
 */
export class Unjudgeable extends AdapterReplyError {
  constructor(op: string, message: string) {
    super("invalid", op, message);
  }
}
