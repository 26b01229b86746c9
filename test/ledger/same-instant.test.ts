import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalWakeup } from "../../src/db/wakeup.js";
import { createMetrics } from "../../src/metrics.js";
import { recordPayment, type LedgerDeps } from "../../src/ledger/record-payment.js";
import type { ProviderName } from "../../src/config/config.js";
import type { PaymentObservation, RecordOutcome } from "../../src/ledger/observation.js";
import { orderPaymentKey } from "../../src/ledger/reference.js";
import { silentLog, userFor } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID } from "../../src/db/merchant-scope.js";

/**
 * Two observations of one top-up recorded at the same instant must end as they would one after the
 * other: the recorder decides on the top-up's payments so far, and on PostgreSQL that decision and its
 * write are two round trips that another delivery can fall between. Each round is a fresh top-up with
 * both observations started in the same tick, so the two look-ups overlap.
 */

const ROUNDS = 50;
const ORDER_MINOR = 900;

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`two observations of one top-up at the same instant (${dialect.name})`, () => {
    let database: TestDatabase;
    let ledger: LedgerDeps;
    let userId: number;
    let seq = 0;

    beforeAll(async () => {
      database = await dialect.fresh();
      ledger = { merchantId: DEFAULT_MERCHANT_ID, database, wakeup: createLocalWakeup(), log: silentLog, metrics: createMetrics(), panelCurrency: "USD", khrPerUsd: 4100, adminChats: [-100n] };
      userId = await userFor(database, "same_instant");
    });
    afterAll(async () => {
      await database?.drop();
    });

    const order = (provider: ProviderName) =>
      database.db.topUp.create({
        data: {
          reference: `SI${String(++seq).padStart(12, "0")}`, userId, chatId: 1n, provider, currency: "USD", amountMinor: ORDER_MINOR,
          panelLogin: "same_instant", status: "PENDING", expiresAt: new Date(Date.now() + 60_000),
        },
      });
    const paid = (provider: ProviderName, reference: string, providerTxnId: string): PaymentObservation =>
      ({ provider, providerTxnId, reference, amountMinor: ORDER_MINOR, currency: "USD", raw: {} });

    /** What a top-up ended as, independent of which observation got there first. */
    async function endState(topUpId: number, outcomes: RecordOutcome[]) {
      const topUp = await database.db.topUp.findUniqueOrThrow({ where: { id: topUpId } });
      const payments = await database.db.payment.findMany({ where: { topUpId }, orderBy: { id: "asc" } });
      const credits = await database.db.credit.findMany({ where: { topUpId }, orderBy: { id: "asc" } });
      const notes = await database.db.notification.findMany({ where: { dedupeKey: { in: payments.flatMap((p) => [`payment:${p.id}@-100`, `held-payment:${p.id}@1`]) } } });
      return {
        outcomes: outcomes.map((o) => o.outcome).sort(),
        flags: payments.map((p) => p.flag),
        credits: payments.map((p) => credits.filter((c) => c.paymentId === p.id).map((c) => c.status)),
        notes: notes.map((n) => n.kind).sort(),
        status: topUp.status,
        paymentsSeen: topUp.paymentsSeen,
      };
    }

    describe("a polled placeholder and the webhook naming the same payment", () => {
      const placeholders: { provider: ProviderName; key: (reference: string) => string }[] = [
        { provider: "raksmeypay", key: (reference) => reference },
        { provider: "kess", key: orderPaymentKey },
      ];
      for (const { provider, key } of placeholders) {
        it(`${provider}: one payment under the named transaction and one credit, ${ROUNDS} times`, async () => {
          const twice: string[] = [];
          for (let round = 0; round < ROUNDS; round++) {
            const topUp = await order(provider);
            const txn = `${provider}-txn-${topUp.id}`;
            const outcomes = await Promise.all([
              recordPayment(ledger, paid(provider, topUp.reference, key(topUp.reference)), { source: "poll", signed: true }),
              recordPayment(ledger, paid(provider, topUp.reference, txn), { source: "webhook", signed: true }),
            ]);
            const payments = await database.db.payment.findMany({ where: { topUpId: topUp.id } });
            const credits = await database.db.credit.count({ where: { topUpId: topUp.id } });
            if (payments.length !== 1 || credits !== 1) twice.push(`${topUp.reference}: ${payments.length} payments, ${credits} credits`);
            else {
              expect(payments[0]!.providerTxnId).toBe(txn);
              expect(outcomes.map((o) => o.outcome).sort()).toEqual(["duplicate", "recorded"]);
              expect((await database.db.topUp.findUniqueOrThrow({ where: { id: topUp.id } })).paymentsSeen).toBe(1);
            }
          }
          expect({ rounds: twice.length, first: twice.slice(0, 3) }).toEqual({ rounds: 0, first: [] });
        }, 60_000);
      }
    });

    describe("two different payments of one top-up", () => {
      const cases: { provider: ProviderName; signed: boolean }[] = [
        { provider: "raksmeypay", signed: true },
        { provider: "payway", signed: false },
      ];
      for (const { provider, signed } of cases) {
        it(`${provider} (${signed ? "signed" : "unsigned"}): the same end as one after the other, ${ROUNDS} times`, async () => {
          const sequentialTopUp = await order(provider);
          const sequential = await endState(sequentialTopUp.id, [
            await recordPayment(ledger, paid(provider, sequentialTopUp.reference, `seq-a-${sequentialTopUp.id}`), { source: "webhook", signed }),
            await recordPayment(ledger, paid(provider, sequentialTopUp.reference, `seq-b-${sequentialTopUp.id}`), { source: "webhook", signed }),
          ]);
          expect(sequential).toMatchObject({ flags: ["OK", "REPEAT"], paymentsSeen: 2 });

          const differing: string[] = [];
          for (let round = 0; round < ROUNDS; round++) {
            const topUp = await order(provider);
            const outcomes = await Promise.all(
              ["a", "b"].map((n) => recordPayment(ledger, paid(provider, topUp.reference, `${n}-${topUp.id}`), { source: "webhook", signed })),
            );
            const end = await endState(topUp.id, outcomes);
            if (JSON.stringify(end) !== JSON.stringify(sequential)) differing.push(`${topUp.reference}: ${JSON.stringify(end)}`);
          }
          expect({ rounds: differing.length, first: differing.slice(0, 3) }).toEqual({ rounds: 0, first: [] });
        }, 60_000);
      }
    });

    it(`one transaction reported for a top-up and, at once, without a reference of ours: one payment, the top-up counts it only if it is its own, ${ROUNDS} times`, async () => {
      const wrong: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const topUp = await order("raksmeypay");
        const txn = `lost-ref-${topUp.id}`;
        const outcomes = await Promise.all([
          recordPayment(ledger, paid("raksmeypay", topUp.reference, txn), { source: "webhook", signed: true }),
          recordPayment(ledger, paid("raksmeypay", `NOT${topUp.reference}`, txn), { source: "webhook", signed: true }),
        ]);
        const kept = await database.db.payment.findMany({ where: { provider: "raksmeypay", providerTxnId: txn } });
        const now = await database.db.topUp.findUniqueOrThrow({ where: { id: topUp.id } });
        const end = { outcomes: outcomes.map((o) => o.outcome).sort(), payments: kept.length, onTopUp: kept.filter((p) => p.topUpId === topUp.id).length, status: now.status, paymentsSeen: now.paymentsSeen };
        const ownFirst = { outcomes: ["duplicate", "recorded"], payments: 1, onTopUp: 1, status: "PAID", paymentsSeen: 1 };
        const orphanFirst = { outcomes: ["duplicate", "orphan"], payments: 1, onTopUp: 0, status: "PENDING", paymentsSeen: 0 };
        if (JSON.stringify(end) !== JSON.stringify(ownFirst) && JSON.stringify(end) !== JSON.stringify(orphanFirst)) wrong.push(`${topUp.reference}: ${JSON.stringify(end)}`);
      }
      expect({ rounds: wrong.length, first: wrong.slice(0, 3) }).toEqual({ rounds: 0, first: [] });
    }, 60_000);
  });
}
