// Which attach point the bpf kernel IUT loads programs at for a whole run:
// both (the default: each case names its own, socket or xt_bpf), or one, so
// a matrix can judge Linux's socket filter and xt_bpf as two columns
// (`--iut linux:bpf=socket`, `--iut linux:bpf=xt_bpf`). Chosen with
// `nfconform adapter linux --bpf socket|xt_bpf` and passed to the copy of the
// adapter inside the namespace through the environment (as frag6/path.ts).
// Kept apart from area.ts so the CLI can read it without the kernel IUT.
import { ATTACH_POINTS, type Attach } from "../../../model/bpf/validator.js";

export const BPF_ATTACH_ENV = "NFCONFORM_BPF_ATTACH";

export function isAttach(value: string): value is Attach {
  return (ATTACH_POINTS as readonly string[]).includes(value);
}

/** The one attach point of this run, or null for both. */
export function bpfAttachFromEnv(): Attach | null {
  const value = process.env[BPF_ATTACH_ENV];
  return value !== undefined && isAttach(value) ? value : null;
}

/** What hello's version adds when the run is held to one attach point (the matrix shows it per column). */
export function bpfAttachNote(only: Attach | null): string {
  return only === null ? "" : ` (bpf at ${only} only)`;
}

/** Why a load at `attach` is declined in a run held to `only`, or null when it is asked. */
export function attachDeclined(only: Attach | null, attach: Attach): string | null {
  return only === null || only === attach
    ? null
    : `this run loads programs at ${only} only (--iut linux:bpf=${only}); the case asks for ${attach}`;
}
