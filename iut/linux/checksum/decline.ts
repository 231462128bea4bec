import { AdapterReplyError } from "../../iut.js";

/** The request cannot be realized on the kernel: answered `invalid`, with the reason. */
export function decline(message: string): AdapterReplyError {
  return new AdapterReplyError("invalid", "checksum.fill", message);
}
