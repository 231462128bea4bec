// frag6.run's memory thresholds in the kernel's bytes. The model charges each
// queue and each fragment what this IUT's link charges (model/frag6/memory.ts,
// measured on 6.18), so thresholds pass through unchanged, as long as the
// running kernel still charges that: calibrationMismatch() measures it once
// per adapter, and cases whose outcome depends on memory are declined if it
// does not (their verdict would judge the model's truesize, not reassembly).
import type { Frag6Request } from "../../ops/frag6.js";
import { FRAG_QUEUE_SIZE, fragmentTruesize } from "../../../model/frag6/memory.js";
import { FRAG6_DEFAULT_CONFIG } from "../../../model/frag6/profiles.js";
import { buildFragmentPacket } from "../../../wire/ipv6-fragment.js";
import { IPPROTO_UDP } from "../../../wire/protocol-numbers.js";
import { enterCaseNamespace, plainFragState, writeCaseSysctls } from "./case-network.js";
import { FragmentInjector } from "./injector.js";

export type Thresholds = { ok: true; value: { highThresh: number; lowThresh: number } } | { ok: false; reason: string };

/** Lengths on each side of the model's steps: the small-head slab, kmalloc buckets, linear vs paged, page counts. */
const PROBE_LENGTHS = [56, 224, 232, 672, 680, 1696, 1704, 3744, 3752, 4064, 4072, 8192, 8200, 65528];

const SRC = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0xca, 0x1b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const DST = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0xca, 0x1b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);

/**
 * Queues one offset-0 fragment (M set, a queue of its own) of each probe
 * length in a throwaway namespace and compares /proc/net/sockstat6's FRAG6
 * memory growth with the model's charge: null when all agree, else what differs.
 */
export function calibrationMismatch(): string | null {
  const ns = enterCaseNamespace("plain", [DST]);
  const injector = new FragmentInjector();
  try {
    writeCaseSysctls("plain", { timeoutSeconds: 60, highThresh: 64 << 20, lowThresh: 0 });
    const unfragmentable = new Uint8Array(40);
    unfragmentable[0] = 0x60;
    unfragmentable[7] = 64;
    unfragmentable.set(SRC, 8);
    unfragmentable.set(DST, 24);
    const wrong: string[] = [];
    PROBE_LENGTHS.forEach((length, id) => {
      const before = plainFragState().memory;
      injector.inject(
        buildFragmentPacket({
          unfragmentable,
          prevNextHeaderOffset: 6,
          nextHeader: IPPROTO_UDP,
          offset: 0,
          more: true,
          identification: id,
          data: new Uint8Array(length - 48),
        }),
      );
      const charged = plainFragState().memory - before;
      const model = FRAG_QUEUE_SIZE + fragmentTruesize(length);
      if (charged !== model) wrong.push(`${length}-byte fragment: kernel ${charged}, model ${model}`);
    });
    return wrong.length === 0 ? null : wrong.join("; ");
  } finally {
    injector.close();
    ns.leave();
  }
}

/** undefined: not measured yet; null: the kernel charges as the model does. */
let mismatch: string | null | undefined;

export function kernelThresholds(request: Frag6Request): Thresholds {
  const { highThresh, lowThresh } = request.config;
  // At the default 4 MiB no generated case comes near the threshold: nothing to calibrate.
  if (highThresh !== FRAG6_DEFAULT_CONFIG.highThresh) {
    // Once per adapter: `??=` would measure again after every agreeing (null) answer.
    if (mismatch === undefined) mismatch = calibrationMismatch();
    if (mismatch)
      return {
        ok: false,
        reason: `a case about reassembly memory, and this kernel charges fragments other than the model (${mismatch})`,
      };
  }
  return { ok: true, value: { highThresh, lowThresh } };
}
