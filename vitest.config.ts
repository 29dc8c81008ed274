import { defineConfig } from "vitest/config";

// Unit suite: pure logic and in-process CLI runs, no container engine, no browser, no database.
export default defineConfig({
  test: {
    globalSetup: ["test/setup/build.ts"],
    include: ["test/unit/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
