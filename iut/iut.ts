// The one interface every implementation under test is reached through: the
// model in-process, an external adapter process, and later the Linux kernel.
import type { ErrorCode, Hello, Params, Result } from "./ops/common.js";

export interface Iut {
  /** How the user named it on the command line (`model`, `cmd:...`). */
  readonly spec: string;
  hello(): Promise<Hello>;
  /** Sends one request; resolves with the result, or throws AdapterReplyError / IutError. */
  call(op: string, params: Params): Promise<Result>;
  close(): Promise<void>;
}

/** The adapter answered with `{"error": ...}`: not a conformance verdict. */
export class AdapterReplyError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly op: string,
    /** The adapter's own words, as they travel in the protocol's error message. */
    readonly detail: string,
  ) {
    super(`${op}: adapter replied ${code}: ${detail}`);
  }
}

/**
 * A harness-level failure of the IUT: late, missing, malformed or mismatched
 * response, or an adapter that exited. Reported as `iut-error`, apart from
 * conformance violations.
 */
export class IutError extends Error {
  constructor(
    message: string,
    /** The offending line, exit status or other evidence. */
    readonly evidence?: string,
    /**
     * The IUT failed before the request in hand reached it (an adapter that
     * would not restart, or restarted saying another hello): the case being
     * judged did not cause it, so it is not kept as the case that failed.
     */
    readonly beforeTheRequest = false,
  ) {
    super(message);
  }
}
