// frag6.run's memory thresholds in the kernel's bytes. Placeholder: the
// protocol's defaults are Linux's own and pass through unchanged; anything
// else is calibrated below.
import type { Frag6Request } from "../../ops/frag6.js";

export type Thresholds = { ok: true; value: { highThresh: number; lowThresh: number } } | { ok: false; reason: string };

export function kernelThresholds(request: Frag6Request): Thresholds {
  return { ok: true, value: { highThresh: request.config.highThresh, lowThresh: request.config.lowThresh } };
}
