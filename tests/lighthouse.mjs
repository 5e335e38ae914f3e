// The tests' Lighthouse: benchmarks/lighthouse.mjs (same arguments, same output), without
// Lighthouse's measure of the machine. Before every run Lighthouse times two busy loops of
// half a second each in the page (its BenchmarkIndex), which only calibrates the
// performance category's simulated throttling and is reported in the result's
// environment; the tests judge accessibility, best practices and SEO alone, which never
// read it. Here it is -1 (never a measured index), and the runs skip that second of CPU.
import { pageFunctions } from "lighthouse/core/lib/page-functions.js";

pageFunctions.computeBenchmarkIndex = function computeBenchmarkIndex() {
  return -1;
};
await import("../benchmarks/lighthouse.mjs");
