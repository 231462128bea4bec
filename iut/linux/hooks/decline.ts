import { AdapterReplyError } from "../../iut.js";

/** The request cannot be realized on the kernel: answered `invalid`, with the reason. */
export function decline(op: string, message: string): AdapterReplyError {
  return new AdapterReplyError("invalid", op, message);
}
