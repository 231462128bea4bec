import { AdapterReplyError } from "../../iut.js";

/** The case cannot be realized or observed on the kernel: answered `invalid`, with the reason (counted, never judged). */
export function decline(message: string): AdapterReplyError {
  return new AdapterReplyError("invalid", "frag6.run", message);
}

/**
 * The case's real timing broke the schedule's margins (a loaded machine): it
 * says nothing about the kernel, so the area runs such a case again before it
 * declines it.
 */
export class JitterDecline extends AdapterReplyError {
  constructor(message: string) {
    super("invalid", "frag6.run", message);
  }
}
