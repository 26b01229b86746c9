import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLedgerDatabase, type LedgerDatabase } from "../../src/ledger/hot-path.js";
import type { RecordOutcome } from "../../src/ledger/observation.js";
import { PaymentFlag } from "../../src/ledger/states.js";
import { userFor } from "../support/core.js";
import { createPostgresDatabase, postgresAvailable } from "../support/databases.js";

/**
 * PostgreSQL's recorder writes the observations waiting together as one batch. Three instances'
 * recorders (a pool and batches each) record the same payments at once, so their batches overlap
 * on most top-ups: every observation must still end as one payment per transaction, the top-up's
 * first payment the only one taken as paid, and no batch may fail on another's locks.
 */

const TOP_UPS = 500;
const ORDER_MINOR = 700;
const INSTANCES = 3;

describe.runIf(postgresAvailable)("PostgreSQL: batches of three instances overlapping on the same top-ups", () => {
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  const instances: LedgerDatabase[] = [];

  beforeAll(async () => {
    created = await createPostgresDatabase();
    for (let i = 0; i < INSTANCES; i++) instances.push(await openLedgerDatabase(created.url));
  });
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await created?.dropDatabase();
  });

  it("each transaction recorded once, one first payment per top-up, counts that agree, nothing refused", async () => {
    const db = instances[0]!.db;
    const userId = await userFor(instances[0]!, "batches");
    const references = Array.from({ length: TOP_UPS }, (_, i) => `PB${String(i).padStart(12, "0")}`);
    await db.topUp.createMany({
      data: references.map((reference) => ({
        reference, userId, chatId: 1n, provider: "raksmeypay", currency: "USD", amountMinor: ORDER_MINOR, panelLogin: "batches", status: "PENDING",
        expiresAt: new Date(Date.now() + 60_000),
      })),
    });
    const config = { merchantId: 1, adminChats: [-100n], panelCurrency: "USD" as const, khrPerUsd: 4100 };
    // Every instance sees each top-up's payment; every other top-up is paid a second time too (a repeat).
    const observations = references.flatMap((reference, i) => [`first-${reference}`, ...(i % 2 === 0 ? [`second-${reference}`] : [])].map((providerTxnId) => ({ reference, providerTxnId })));
    const outcomes: RecordOutcome[] = await Promise.all(
      instances.flatMap((instance) =>
        observations.map(({ reference, providerTxnId }) =>
          instance.hot.record(config, { provider: "raksmeypay", providerTxnId, reference, amountMinor: ORDER_MINOR, currency: "USD", raw: {} }, { source: "webhook", signed: true }, new Date()),
        ),
      ),
    );

    const written = outcomes.filter((o) => o.outcome !== "duplicate");
    expect(written).toHaveLength(observations.length);
    expect(outcomes.filter((o) => o.outcome === "duplicate")).toHaveLength(observations.length * (INSTANCES - 1));

    const payments = await db.payment.findMany({ include: { credit: true } });
    expect(payments).toHaveLength(observations.length);
    expect(new Set(payments.map((p) => p.providerTxnId)).size).toBe(observations.length);
    expect(payments.every((p) => p.credit !== null)).toBe(true);
    const topUps = await db.topUp.findMany({ where: { reference: { in: references } } });
    for (const topUp of topUps) {
      const own = payments.filter((p) => p.topUpId === topUp.id);
      expect(topUp.paymentsSeen, topUp.reference).toBe(own.length);
      expect(own.filter((p) => p.flag === PaymentFlag.OK), topUp.reference).toHaveLength(1);
    }
    expect(await db.notification.count({ where: { kind: { in: ["admin.payment", "admin.repeat"] } } })).toBe(observations.length);
  }, 120_000);
});
