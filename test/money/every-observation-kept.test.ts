import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderName } from "../../src/config/config.js";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { createMetrics } from "../../src/metrics.js";
import { recordPayment, type LedgerDeps } from "../../src/ledger/record-payment.js";
import type { Currency } from "../../src/money/money.js";
import { silentLog, userFor } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

/** Signed: RaksmeyPay, Ahnajak (hash or signature). Unsigned: PayWay, KESS webhooks, Bakong. */
const PROVIDERS: { name: ProviderName; signed: boolean }[] = [
  { name: "raksmeypay", signed: true },
  { name: "ahnajak", signed: true },
  { name: "payway", signed: false },
  { name: "kess", signed: false },
  { name: "bakong", signed: false },
];
const ORDER_MINOR = 5_000;

const observation = fc.record({
  provider: fc.constantFrom(...PROVIDERS),
  /** An index into this run's orders, or past them: a reference that is none of ours. */
  order: fc.nat({ max: 5 }),
  /** Reuse an earlier transaction id of the run (a redelivery) or make a new one. */
  txn: fc.option(fc.nat({ max: 7 }), { nil: undefined }),
  amountMinor: fc.oneof(fc.constant(ORDER_MINOR), fc.integer({ min: 1, max: 9_000_000_000_000 })),
  currency: fc.constantFrom<Currency>("USD", "KHR"),
  source: fc.constantFrom("webhook" as const, "poll" as const),
  holdReason: fc.option(fc.constant("paid to another account"), { nil: undefined }),
});

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`every verified observation is kept, on ${dialect.name}`, () => {
    let database: TestDatabase;
    let ledger: LedgerDeps;
    let userId: number;
    let run = 0;

    beforeAll(async () => {
      database = await dialect.fresh();
      ledger = { merchantId: DEFAULT_MERCHANT_ID, database, wakeup: createLocalWakeup(), log: silentLog, metrics: createMetrics(), panelCurrency: "USD", khrPerUsd: 4100, adminChats: [-100n] };
      userId = await userFor(database, "prop");
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("ends as exactly one of credited / held / orphan / duplicate-of-existing, with a row each time", async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(observation, { minLength: 1, maxLength: 10 }), async (observations) => {
          run++;
          // Orders 0-2 belong to RaksmeyPay, PayWay and Bakong; 3+ are none of ours.
          const owners: ProviderName[] = ["raksmeypay", "payway", "bakong"];
          const orders = await Promise.all(owners.map((provider, i) => database.db.topUp.create({
            data: { reference: `P${run}-${i}`, userId, chatId: 1n, provider, currency: "USD", amountMinor: ORDER_MINOR, panelLogin: "prop", status: "PENDING", expiresAt: new Date(Date.now() + 600_000) },
          })));
          const paymentsOn = new Map<number, number>();
          const firstIdOf = new Map<string, number>();
          let n = 0;
          for (const o of observations) {
            const order = orders[o.order];
            const txn = `${run}-${o.txn ?? `new-${n++}`}`;
            const key = `${o.provider.name}:${txn}`;
            const outcome = await recordPayment(
              ledger,
              { provider: o.provider.name, providerTxnId: txn, reference: order?.reference ?? `P${run}-unknown`, amountMinor: o.amountMinor, currency: o.currency, holdReason: o.holdReason, raw: {} },
              { source: o.source, signed: o.source === "poll" || o.provider.signed },
            );
            const signed = o.source === "poll" || o.provider.signed;
            const ours = order !== undefined && order.provider === o.provider.name;

            if (firstIdOf.has(key)) {
              expect(outcome).toEqual({ outcome: "duplicate", paymentId: firstIdOf.get(key) });
              continue;
            }
            if (!ours && !signed) {
              // Unsigned and naming no order of ours: not verified at all, nothing kept.
              expect(outcome).toEqual({ outcome: "unverified" });
              expect(await database.db.payment.count({ where: { provider: o.provider.name, providerTxnId: txn } })).toBe(0);
              continue;
            }
            expect(["recorded", "held", "orphan"]).toContain(outcome.outcome);
            if (outcome.outcome !== "recorded" && outcome.outcome !== "held" && outcome.outcome !== "orphan") return;
            firstIdOf.set(key, outcome.paymentId);
            const row = await database.db.payment.findUniqueOrThrow({ where: { id: outcome.paymentId }, include: { credit: true } });
            expect(row).toMatchObject({ provider: o.provider.name, providerTxnId: txn, amountMinor: o.amountMinor, currency: o.currency });
            const notes = await database.db.notification.count({ where: { dedupeKey: { startsWith: `payment:${row.id}@` } } });
            expect(notes).toBe(1);

            if (!ours) {
              expect(outcome.outcome).toBe("orphan");
              expect(row).toMatchObject({ topUpId: null, flag: "ORPHAN", credit: null });
              continue;
            }
            const prior = paymentsOn.get(order.id) ?? 0;
            paymentsOn.set(order.id, prior + 1);
            const exact = o.amountMinor === ORDER_MINOR && o.currency === "USD";
            const shouldHold = !exact || o.holdReason !== undefined || (prior > 0 && !signed);
            expect(outcome.outcome).toBe(shouldHold ? "held" : "recorded");
            expect(row.topUpId).toBe(order.id);
            expect(row.credit?.status).toBe(shouldHold ? "HELD" : "QUEUED");
            expect(row.flag).toBe(!exact ? (o.currency !== "USD" ? "CURRENCY_MISMATCH" : o.amountMinor < ORDER_MINOR ? "UNDERPAID" : "OVERPAID") : prior > 0 ? "REPEAT" : o.holdReason ? "REVIEW" : "OK");
            const customerNote = await database.db.notification.count({ where: { dedupeKey: `held-payment:${row.id}@1` } });
            expect(customerNote).toBe(shouldHold ? 1 : 0);
          }
        }),
        { numRuns: dialect.name === "sqlite" ? 60 : 25 },
      );
    }, 120_000);
  });
}
