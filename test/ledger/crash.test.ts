import { buildSync } from "esbuild";
import { fork, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPayment } from "../../src/ledger/record-payment.js";
import type { Providers } from "../../src/payments/topups.js";
import type { PanelSimulator } from "../../sandbox/panels/panel-simulator.js";
import { startPerfectPanelSimulator } from "../../sandbox/panels/perfectpanel-simulator.js";
import { createPanelClient } from "../../src/panel/create-panel-client.js";
import { eventually, startCore, userFor, type Core } from "../support/core.js";
import { freshPostgres, postgresAvailable, type TestDatabase } from "../support/databases.js";

const API_KEY = "panel-key-crash";
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 50);
const PER_ROUND = 4;

// Bundled once so that each of the many restarts costs a plain Node start, not a TypeScript compile.
// Two folders below the root, like src/db, so the migrator finds prisma/migrations.
const CHILD = ".cache/khqr/crediter-child.mjs";

function startChild(env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(CHILD, { env: { ...process.env, ...env }, stdio: process.env.CHILD_LOG_LEVEL ? "inherit" : "pipe" });
  return new Promise((resolve, reject) => {
    child.once("message", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`crediter child exited early (${code})`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

// Several processes share the database here, which is what PostgreSQL is for (SQLite runs one process).
describe.runIf(postgresAvailable)("crash and restart during crediting (PostgreSQL)", () => {
  let database: TestDatabase;
  let panelSim: PanelSimulator;
  let core: Core;

  beforeAll(async () => {
    buildSync({ entryPoints: ["test/ledger/crediter-child.ts"], bundle: true, platform: "node", format: "esm", packages: "external", outfile: CHILD, target: "node20" });
    database = await freshPostgres();
    panelSim = await startPerfectPanelSimulator({ apiKey: API_KEY, users: { alice: 0 } });
    const panel = createPanelClient({ type: "perfectpanel", url: panelSim.url, apiKey: API_KEY, paymentMethod: "KHQR", currency: "USD" });
    const providers: Providers = new Map([["bakong", { name: "bakong", capabilities: { presentation: "qr", statusApi: false, webhook: false, signedWebhook: true, pollConcurrency: 1, pollBatch: 1 }, create: async () => ({ qr: "x" }) }]]);
    // The parent records payments only; crediting happens in the child processes.
    core = await startCore({ database, providers, panel, poller: false, crediter: { sweepMs: 3_600_000 } });
    await core.crediter.stop();
  });
  afterAll(async () => {
    await core?.stop();
    await panelSim?.close();
    await database?.drop();
  });

  it(`SIGKILL at random moments over ${ROUNDS} rounds: every payment credited once or held, never twice`, async () => {
    const env = { DATABASE_URL: database.url, PANEL_URL: panelSim.url, PANEL_API_KEY: API_KEY };
    const userId = await userFor(database, "alice");
    let seq = 0;
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < PER_ROUND; i++) {
        const started = await core.topUps.start({ userId, chatId: 1n, amountMinor: 100 + seq, provider: "bakong" });
        if (!started.ok) throw new Error(started.reason);
        await recordPayment(core.ledger, { provider: "bakong", providerTxnId: `crash-${++seq}`, reference: started.topUp.reference, amountMinor: started.topUp.amountMinor, currency: "USD", raw: {} }, { source: "poll", signed: true });
        // Let the next top-up be created: one pending per user.
        await database.db.topUp.update({ where: { id: started.topUp.id }, data: { status: "PAID" } });
      }
      panelSim.faults.slowMs = 20 + Math.floor(Math.random() * 60);
      const child = await startChild(env);
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 250));
      await kill(child);
      kills++;
    }
    panelSim.faults.slowMs = 0;
    const finisher = await startChild(env);
    try {
      await eventually(async () => {
        const open = await database.db.credit.groupBy({ by: ["status"], _count: true });
        return open.every((g) => g.status === "DONE" || g.status === "HELD");
      }, "every credit settled", 60_000, 250);
    } finally {
      await kill(finisher);
    }

    const credits = await database.db.credit.findMany();
    expect(credits).toHaveLength(ROUNDS * PER_ROUND);
    const onPanel = new Map<string, number>();
    for (const p of panelSim.payments) onPanel.set(p.memo, (onPanel.get(p.memo) ?? 0) + 1);
    const doubles = [...onPanel.values()].filter((n) => n > 1).length;
    const done = credits.filter((c) => c.status === "DONE");
    const held = credits.filter((c) => c.status === "HELD");
    expect(doubles).toBe(0);
    for (const c of done) expect(onPanel.get(c.memo), c.memo).toBe(1);
    for (const c of held) expect(await database.db.notification.count({ where: { kind: "admin.held", payload: { contains: `"creditId":${c.id}` } } })).toBeGreaterThan(0);
    expect(done.length + held.length).toBe(credits.length);
    console.log(`crash suite: ${kills} SIGKILLs, ${credits.length} payments, ${done.length} credited once, ${held.length} held for an admin, ${doubles} double credits, 0 lost`);
  }, 400_000);
});
