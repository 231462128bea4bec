import { AdapterReplyError } from "../../iut.js";

/** The case cannot be realized or observed on the kernel: answered `invalid`, with the reason (counted, never judged). */
export function decline(message: string): AdapterReplyError {
  return new AdapterReplyError("invalid", "frag6.run", message);
}
