import { defineConfig } from "vitest/config";

// The tests Stryker runs against each mutant of model/<area>: that area's model
// unit tests and property/mutant tests, which import the TypeScript sources
// directly (no build, no kernel, no CLI). Areas as in stryker.config.mjs.
const areas = (process.env["NFCONFORM_MUTATE_AREAS"] ?? "checksum,hooks").split(",");

export default defineConfig({
  test: {
    include: areas.flatMap((area) => [`test/model/${area}*.test.ts`, `test/properties/${area}-*.test.ts`]),
    testTimeout: 60_000,
    pool: "forks",
  },
});
