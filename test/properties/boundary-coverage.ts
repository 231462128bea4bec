// Shared by the per-area boundary tests: sample a property's arbitrary as a
// default run does (100 cases, the seed `nfconform run --seed s` gives that
// property) for several run seeds, and count the seeds on which each boundary
// class came up. "Every class in every default run" is then a checked claim.
import fc from "fast-check";
import { expect } from "vitest";
import { propertySeed } from "../../harness/seeds.js";
import { type ConformanceProperty, propertyId } from "../../properties/property.js";

export const DEFAULT_RUNS = 100;
export const RUN_SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

/** A property and how to name the boundary classes one of its inputs reaches. */
export interface Classified<T> {
  property: ConformanceProperty<T>;
  classify: (input: T) => Iterable<string>;
}

/**
 * For each class, on how many of the run seeds a default run reached it: the
 * union over the given properties, each sampled with the seed the harness
 * gives it (a default run runs every property of the area).
 */
export function seedsReaching(
  of: readonly Classified<any>[],
  options: { profile?: string; seeds?: readonly number[] } = {},
): Map<string, number> {
  const reached = new Map<string, number>();
  for (const runSeed of options.seeds ?? RUN_SEEDS) {
    const seen = new Set<string>();
    for (const { property, classify } of of) {
      // Sampled as fc.check draws them for the harness: a one-argument property, the same seed.
      const sampled = fc.property(property.arbitrary(options.profile ?? ""), () => true);
      const seed = propertySeed(runSeed, propertyId(property));
      for (const [input] of fc.sample(sampled, { seed, numRuns: DEFAULT_RUNS }))
        for (const c of classify(input)) seen.add(c);
    }
    for (const c of seen) reached.set(c, (reached.get(c) ?? 0) + 1);
  }
  return reached;
}

/** Expects every class reached on every seed; the message lists the seeds-reached count of each short class. */
export function expectEveryClassEverySeed(
  reached: Map<string, number>,
  classes: readonly string[],
  seeds: readonly number[] = RUN_SEEDS,
): void {
  const short = classes.filter((c) => (reached.get(c) ?? 0) < seeds.length).map((c) => `${c}: ${reached.get(c) ?? 0}`);
  expect(short, `classes not reached on all ${seeds.length} seeds`).toEqual([]);
}
