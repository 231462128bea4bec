import { defineConfig } from "vitest/config";

// The tests Stryker runs against each mutant of model/<area>: that area's model
// unit tests and property/mutant tests, which import the TypeScript sources
// directly (no build, no kernel, no CLI). Areas as in stryker.config.mjs.
const areas = (process.env.NFCONFORM_MUTATE_AREAS ?? "checksum,hooks").split(",");
// NFCONFORM_MUTATION_TESTS=model runs only the model unit tests: a cheap first
// pass (with Stryker's --incremental, a later run with the default "all" keeps
// those kills and tests only the survivors against the property tests too), or
// a rerun after adding model tests (see bench/mutation-score.md). `npm test`
// does not read this file.
const only = process.env.NFCONFORM_MUTATION_TESTS ?? "all";

export default defineConfig({
  test: {
    include: areas.flatMap((area) => [
      `test/model/${area}*.test.ts`,
      ...(only === "model" ? [] : [`test/properties/${area}-*.test.ts`]),
    ]),
    testTimeout: 60_000,
    pool: "forks",
  },
});
