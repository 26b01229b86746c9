import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { recordPayment } from "../../src/ledger/record-payment.js";
import type { PaymentProvider } from "../../src/payments/provider.js";
import type { Providers } from "../../src/payments/topups.js";
import { PANEL_RETRY_AFTER_SECONDS, type PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { eventually, startCore, userFor, type Core } from "../support/core.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";

const API_KEY = "panel-key-adaptive";
const MAX = 32;
/** Slow but healthy: far above loopback jitter, so only queueing or refusals lower the limit. */
const PANEL_MS = 150;

const quietProvider: PaymentProvider = {
  name: "bakong",
  capabilities: { presentation: "qr", statusApi: false, webhook: false, signedWebhook: true, pollConcurrency: 1, pollBatch: 1 },
  create: async () => ({ qr: "000201" }),
};

describe("crediter with an adaptive concurrency limit against the panel simulator", () => {
  let database: TestDatabase;
  let panelSim: PanelSimulator;
  let core: Core;
  let seq = 0;
  const references: string[] = [];

  beforeAll(async () => {
    database = await freshSqlite();
    panelSim = await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 0 } });
    const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: API_KEY, paymentMethod: "KHQR", currency: "USD" }, { maxConnections: MAX });
    const providers: Providers = new Map([["bakong", quietProvider]]);
    core = await startCore({ database, providers, panel, poller: false, crediter: { concurrency: { adaptiveMax: MAX }, retryForMs: 600_000 } });
  });
  afterAll(async () => {
    await core?.stop();
    await panelSim?.close();
    await database?.drop();
  });

  const limitShown = async () => (await core.metrics.crediterConcurrencyLimit.get()).values[0]!.value;
  const creditsDone = () => database.db.credit.count({ where: { status: "DONE" } });

  async function pay(count: number): Promise<void> {
    const userId = await userFor(database, "alice");
    for (let i = 0; i < count; i++) {
      const started = await core.topUps.start({ userId, chatId: 1n, amountMinor: 100, provider: "bakong" });
      if (!started.ok) throw new Error(started.reason);
      references.push(started.topUp.reference);
      const outcome = await recordPayment(core.ledger, { provider: "bakong", providerTxnId: `adaptive-${++seq}`, reference: started.topUp.reference, amountMinor: 100, currency: "USD", raw: {} }, { source: "webhook", signed: true });
      expect(outcome.outcome).toBe("recorded");
    }
  }

  /** Records payments with the crediter stopped, so it finds them all queued: the work, not its arrival, bounds it. */
  async function backlog(count: number): Promise<void> {
    await core.crediter.stop();
    await pay(count);
    core.crediter.start();
  }

  /** Waits until the panel simulator has taken `count` more API calls. */
  const callsFrom = (count: number) => {
    const target = panelSim.traffic.calls + count;
    return eventually(async () => panelSim.traffic.calls >= target, `${count} more panel calls`, 60_000);
  };

  it("starts low, rises to PANEL_MAX_CONNECTIONS against a slow but healthy panel, and never exceeds it", { timeout: 180_000 }, async () => {
    expect(await limitShown()).toBe(4);
    panelSim.faults.slowMs = PANEL_MS;
    await backlog(300);
    await eventually(async () => (await creditsDone()) === 300, "300 credits done", 120_000);
    // The limit rose well above where it started (4), and the panel never saw more calls at once than its maximum.
    expect(panelSim.traffic.peakInFlight).toBeGreaterThanOrEqual(MAX / 2);
    expect(panelSim.traffic.peakInFlight).toBeLessThanOrEqual(MAX);
    expect(await limitShown()).toBeGreaterThan(4);
    expect(panelSim.payments).toHaveLength(300);
  });

  // Fewer than 500 panel payments in all: a memo search (reconciling the 503s) reads only the 500 most recent.
  it("falls to 1 while the panel answers 503 and 429, so it sees one call at a time; rises again once it recovers; each credit applied once", { timeout: 300_000 }, async () => {
    // A proxy's 503 (the outcome of a write is unknown: reconciled by memo) and 429 pages without Retry-After.
    panelSim.setFault("statusBefore", Infinity, [503, 429]);
    await backlog(60);
    await eventually(async () => (await limitShown()) === 1, "the limit down to 1", 60_000);
    // Calls started before the limit fell have answered by then: from now on the panel sees one at a time.
    await callsFrom(10);
    panelSim.traffic.peakInFlight = panelSim.traffic.inFlight;
    await callsFrom(20);
    expect(panelSim.traffic.peakInFlight).toBe(1);
    expect(await limitShown()).toBe(1);

    panelSim.resetFaults();
    panelSim.faults.slowMs = PANEL_MS;
    await backlog(100);
    await eventually(async () => (await creditsDone()) === 460, "all 460 credits done", 180_000);
    expect(await limitShown()).toBeGreaterThan(1);
    for (const reference of references) expect(panelSim.payments.filter((p) => p.memo.includes(reference))).toHaveLength(1);
  });

  it("our own event loop held up most of the time while the panel stays fast: the limit does not back off", { timeout: 180_000 }, async () => {
    panelSim.faults.slowMs = PANEL_MS;
    const before = await creditsDone();
    const start = await limitShown();
    await core.crediter.stop();
    await pay(100);
    // 80 ms of every 100 ms this thread runs something else (as ingest or a group commit would): every answer waits for it.
    const stalls = setInterval(() => {
      const until = performance.now() + 80;
      while (performance.now() < until) {
        // busy
      }
    }, 20);
    const seen: number[] = [];
    const sampler = setInterval(() => void limitShown().then((v) => seen.push(v)), 5);
    try {
      core.crediter.start();
      await eventually(async () => (await creditsDone()) === before + 100, "100 credits done", 120_000);
    } finally {
      clearInterval(stalls);
      clearInterval(sampler);
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(start);
  });

  it("a 429 with Retry-After: the credit waits at least that long before it is sent again", async () => {
    expect(await database.db.credit.count({ where: { status: { not: "DONE" } } })).toBe(0);
    panelSim.resetFaults();
    panelSim.setFault("http429", 1);
    const before = await database.db.credit.count();
    await pay(1);
    const credit = await eventually(async () => {
      const c = await database.db.credit.findFirst({ where: { id: { gt: before } }, orderBy: { id: "desc" } });
      return c?.attempts === 1 && c.status === "QUEUED" ? c : null;
    }, "the credit rescheduled after the 429");
    expect(credit.errorKind).toBe("unavailable");
    // Its first backoff alone is 1–2 s; Retry-After asked for more.
    expect(credit.nextAttemptAt.getTime() - credit.firstFailureAt!.getTime()).toBeGreaterThanOrEqual(PANEL_RETRY_AFTER_SECONDS * 1000);
    await eventually(async () => (await database.db.credit.findUniqueOrThrow({ where: { id: credit.id } })).status === "DONE", "credited after the pause", 30_000);
  });
});
