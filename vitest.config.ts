import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Most suites wait on loopback I/O and timers; two forks keep both cores busy (one fork per core).
    maxWorkers: 2,
    reporters: ["default"],
  },
});
