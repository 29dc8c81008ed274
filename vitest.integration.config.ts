import { defineConfig } from "vitest/config";

// Integration suite: real tools (MariaDB, Chromium, later podman and a registry), one file at a time
// because the machine has two cores and these tests start heavy processes.
export default defineConfig({
  test: {
    globalSetup: ["test/setup/build.ts"],
    include: ["test/integration/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
