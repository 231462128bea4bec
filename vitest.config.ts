import { defineConfig } from "vitest/config";

// Tests import the TypeScript sources directly; the CLI end-to-end tests spawn
// the compiled dist/ (npm test builds first).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
