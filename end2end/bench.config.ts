import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// The benchmarks: same browser settings as the tests, their own folder, no retries.
export default defineConfig({
  ...base,
  testDir: "./bench",
  retries: 0,
  timeout: 900_000,
  outputDir: "test-results/bench",
});
