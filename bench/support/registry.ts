import type { BenchResult } from "./result.js";

/** The benchmarks in the order `npm run bench` runs them. */
export const BENCHMARKS = {
  sustained: () => import("../sustained.js"),
  "sustained-platform": () => import("../sustained-platform.js"),
  "webhook-ingest": () => import("../webhook-ingest.js"),
  "webhook-even-rate": () => import("../webhook-even-rate.js"),
  "sqlite-commit": () => import("../sqlite-commit.js"),
  "webhook-postgres": () => import("../webhook-postgres.js"),
  "panel-latency": () => import("../panel-latency.js"),
  "admin-digest": () => import("../admin-digest.js"),
  "payment-to-credit": () => import("../payment-to-credit.js"),
  "two-cores": () => import("../two-cores.js"),
  "qr-card": () => import("../qr-card.js"),
  polling: () => import("../polling.js"),
  bot: () => import("../bot.js"),
  startup: () => import("../startup.js"),
  history: () => import("../history.js"),
  "shared-history": () => import("../shared-history.js"),
  merchants: () => import("../merchants.js"),
  "merchants-load": () => import("../merchants-load.js"),
  "merchants-fairness": () => import("../merchants-fairness.js"),
  onboarding: () => import("../onboarding.js"),
} as const satisfies Record<string, () => Promise<{ run(): Promise<BenchResult> }>>;

export type BenchName = keyof typeof BENCHMARKS;

export function isBenchName(name: string): name is BenchName {
  return Object.hasOwn(BENCHMARKS, name);
}
