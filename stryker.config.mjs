// Mutation testing of the reference model (`npm run mutation`): how many
// deliberate changes to model/ the test suite notices, per area.
const areas = (process.env.NFCONFORM_MUTATE_AREAS ?? "checksum,hooks").split(",");
// Model code of an area that lives below model/ because other layers share it.
const shared = { checksum: ["wire/internet-checksum.ts", "wire/pseudo-header.ts"] };

export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts" },
  mutate: areas.flatMap((area) => [`model/${area}/**/*.ts`, ...(shared[area] ?? [])]),
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants) run the whole suite each; they are
  // reported as ignored so a run fits in minutes, not hours.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 60000,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: process.env.NFCONFORM_MUTATION_JSON ?? "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
