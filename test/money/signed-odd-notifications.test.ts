import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { startProviderKit, type ProviderKit } from "./provider-kit.js";

/**
 * Issue 18 items 6 and 7, over loopback: a notification that passes its provider's verification (a
 * RaksmeyPay hash, an Ahnajak HMAC, PayWay's secret path and one of our references) but is not as
 * documented (another currency, an amount we do not book as is, an odd field) becomes a payment row,
 * HELD with its reason, both notes sent, in /pending and /find, nothing credited. One that names no
 * top-up of ours is an orphan row. The simulators send these bodies as the provider would.
 */
for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`signed notifications in an unexpected format on ${dialect.name}`, () => {
    let database: TestDatabase;
    let kit: ProviderKit;

    beforeAll(async () => {
      database = await dialect.fresh();
      kit = await startProviderKit(database);
    });
    afterAll(async () => {
      await kit?.stop();
      await database?.drop();
    });

    const paymentsOf = (topUpId: number) => database.db.payment.findMany({ where: { topUpId }, include: { credit: true }, orderBy: { id: "asc" } });
    /** Lets the crediter run a few sweeps, so a credit that must not happen would have happened. */
    const settle = () => new Promise((r) => setTimeout(r, 400));

    /** One payment row, flagged and HELD with `reason` in its credit, the admins and the customer told, in /pending and /find, nothing credited. */
    async function expectHeld(order: { id: number; reference: string }, expected: { flag: string; amountMinor: number; currency: string; providerTxnId?: string }, reason: string) {
      const [row, ...more] = await paymentsOf(order.id);
      expect(more).toHaveLength(0);
      const { flag, ...money } = expected;
      expect(row).toMatchObject({ flag, ...money, credit: { status: "HELD", lastError: expect.stringContaining(reason) } });
      expect(row!.credit!.lastError).toContain("in an unexpected format: ");
      expect((await database.db.topUp.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("HELD");
      expect(await kit.adminSaid(`Payment HELD (${flag})`, `ref ${order.reference}`, "in an unexpected format")).toContain("Why: ");
      expect(await kit.customerSaid(`(reference ${order.reference})`)).toMatch(/needs to check it/);
      expect((await kit.lookup.pending()).heldCredits.map((c) => c.reference)).toContain(order.reference);
      const found = await kit.lookup.find(order.reference);
      expect(found.kind === "topup" && found.timeline.find((e) => e.event === "held")?.detail).toContain(reason);
      await settle();
      expect(kit.panelCreditsFor(order.reference)).toHaveLength(0);
    }

    /** An orphan row (no top-up of ours) with its reason, the admins told, in /pending and /find. */
    async function expectOrphan(providerTxnId: string, reason: string) {
      const row = await eventually(() => database.db.payment.findFirst({ where: { provider: "ahnajak", providerTxnId } }), `orphan ${providerTxnId}`);
      expect(row).toMatchObject({ topUpId: null, flag: "ORPHAN" });
      expect(await database.db.credit.count({ where: { paymentId: row.id } })).toBe(0);
      expect(await kit.adminSaid(`txn ${providerTxnId}`, "matches none of our top-ups")).toContain(reason);
      expect((await kit.lookup.pending()).orphanPayments.map((p) => p.providerTxnId)).toContain(providerTxnId);
      const found = await kit.lookup.find(providerTxnId);
      expect(found.kind === "payments" && found.payments.map((p) => p.id)).toEqual([row.id]);
    }

    async function withOverrides<T extends object>(target: T, change: Partial<T>, run: () => Promise<unknown>): Promise<void> {
      const saved = Object.fromEntries(Object.keys(change).map((k) => [k, target[k as keyof T]]));
      Object.assign(target, change);
      try {
        await run();
      } finally {
        Object.assign(target, saved);
      }
    }

    describe("RaksmeyPay", () => {
      it("the seed's format (a 40-hex bakong_hash) and a 64-hex one are both credited once", async () => {
        for (const hex of [40, 64] as const) {
          const { order, payment } = await kit.topUp("raksmeypay", 300);
          let paid: { providerTxnId: string } | undefined;
          await withOverrides(kit.raksmey, { bakongHashHex: hex }, async () => (paid = await kit.raksmey.pay({ reference: order.reference, qr: payment.qr })));
          expect(paid!.providerTxnId).toMatch(new RegExp(`^[0-9a-f]{${hex}}$`));
          expect(kit.raksmey.deliveries.at(-1)!.status).toBe(200);
          const rows = await eventually(async () => {
            const all = await paymentsOf(order.id);
            return all.length > 0 && all.every((r) => r.credit?.status === "DONE") && all;
          }, "credit done");
          expect(rows).toMatchObject([{ flag: "OK", providerTxnId: paid!.providerTxnId }]);
          expect(kit.panelCreditsFor(order.reference)).toHaveLength(1);
        }
      });

      it("paid in another currency: recorded as 0 and HELD with the reason", async () => {
        const { order, payment } = await kit.topUp("raksmeypay", 500);
        await withOverrides(kit.raksmey, { webhookOverrides: { currency: "EUR" } }, () => kit.raksmey.pay({ reference: order.reference, qr: payment.qr }));
        expect(kit.raksmey.deliveries.at(-1)!.status).toBe(200);
        await expectHeld(order, { flag: "UNDERPAID", amountMinor: 0, currency: "USD" }, 'currency "EUR" is neither USD nor KHR (the amount "5.00")');
      });

      it("an amount with three decimals (hashed as sent): HELD with what it rounds down to", async () => {
        const { order, payment } = await kit.topUp("raksmeypay", 500);
        await withOverrides(kit.raksmey, { webhookOverrides: { amount: "5.005" } }, () => kit.raksmey.pay({ reference: order.reference, qr: payment.qr }));
        expect(kit.raksmey.deliveries.at(-1)!.status).toBe(200);
        await expectHeld(order, { flag: "REVIEW", amountMinor: 500, currency: "USD" }, 'the amount "5.005" is not a plain, exact USD amount');
      });

      it("unhashed fields not as documented (status, profile_id): HELD, not refused", async () => {
        const { order, payment } = await kit.topUp("raksmeypay", 600);
        const paid = { providerTxnId: "" };
        await withOverrides(kit.raksmey, { webhookOverrides: { status: "PAID", profile_id: 42 } }, async () => Object.assign(paid, await kit.raksmey.pay({ reference: order.reference, qr: payment.qr })));
        expect(kit.raksmey.deliveries.at(-1)!.status).toBe(200);
        await expectHeld(order, { flag: "REVIEW", amountMinor: 600, currency: "USD", providerTxnId: paid.providerTxnId }, "profile_id 42 is not our profile");
        expect((await paymentsOf(order.id))[0]!.credit!.lastError).toContain('status "PAID", documented as always "success"');
      });

      it("a hash that does not verify is still refused, and nothing is recorded", async () => {
        const { order, payment } = await kit.topUp("raksmeypay", 700);
        const before = await database.db.payment.count();
        await withOverrides(kit.raksmey.webhookFaults, { mode: "bad_signature" }, () => kit.raksmey.pay({ reference: order.reference, qr: payment.qr }));
        expect(kit.raksmey.deliveries.at(-1)!.status).toBe(403);
        expect(await database.db.payment.count()).toBe(before);
        expect((await database.db.topUp.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("PENDING");
      });
    });

    describe("ABA PayWay (unsigned: the secret path and a reference of ours verify it)", () => {
      it("paid in another currency: recorded as 0 and HELD with the reason", async () => {
        const { order, payment } = await kit.topUp("payway", 500);
        await withOverrides(kit.payway.style, { overrides: { original_currency: "EUR", payment_currency: "EUR" } }, () => kit.payway.pay({ reference: order.reference, qr: payment.qr }));
        expect(kit.payway.deliveries.at(-1)!.status).toBe(200);
        await expectHeld(order, { flag: "UNDERPAID", amountMinor: 0, currency: "USD" }, 'original_currency "EUR" is neither USD nor KHR (original_amount 5)');
      });

      it("an amount in a format we do not book: HELD with what it rounds down to", async () => {
        const { order, payment } = await kit.topUp("payway", 500);
        await withOverrides(kit.payway.style, { overrides: { original_amount: "4.505" } }, () => kit.payway.pay({ reference: order.reference, qr: payment.qr }));
        expect(kit.payway.deliveries.at(-1)!.status).toBe(200);
        await expectHeld(order, { flag: "UNDERPAID", amountMinor: 450, currency: "USD" }, 'the amount "4.505" is not a plain, exact USD amount');
      });

      it("no readable tran_id: HELD under the order's key, and a redelivery is the same payment", async () => {
        const { order, payment } = await kit.topUp("payway", 800);
        await withOverrides(kit.payway.style, { overrides: { tran_id: "ABA-1" } }, async () => {
          await withOverrides(kit.payway.webhookFaults, { mode: "duplicate" }, () => kit.payway.pay({ reference: order.reference, qr: payment.qr }));
        });
        expect(kit.payway.deliveries.slice(-2).map((d) => d.status)).toEqual([200, 200]);
        await expectHeld(order, { flag: "REVIEW", amountMinor: 800, currency: "USD", providerTxnId: `order:${order.reference}` }, 'tran_id "ABA-1" is not a transaction id');
      });

      it("odd fields on a reference that is not ours: refused 404, nothing recorded", async () => {
        const before = await database.db.payment.count();
        await withOverrides(kit.payway.style, { overrides: { original_currency: "EUR" } }, () =>
          kit.payway.pay({ reference: "26120399999999", amountMinor: 500, currency: "USD" }),
        );
        expect(kit.payway.deliveries.at(-1)!.status).toBe(404);
        expect(await database.db.payment.count()).toBe(before);
      });
    });

    describe("Ahnajak (the HMAC covers every byte)", () => {
      it("a payload hash that does not match, under a valid signature: HELD with the reason", async () => {
        const { order, payment } = await kit.topUp("ahnajak", 500);
        await withOverrides(kit.ahnajak, { badSignatureKind: "payload_hash" }, () =>
          withOverrides(kit.ahnajak.webhookFaults, { mode: "bad_signature" }, () => kit.ahnajak.pay({ reference: order.reference, checkoutUrl: payment.checkoutUrl })),
        );
        expect(kit.ahnajak.deliveries.at(-1)!.status).toBe(200);
        await expectHeld(order, { flag: "REVIEW", amountMinor: 500, currency: "USD", providerTxnId: order.reference }, "the payload hash does not match transaction_id and amount");
      });

      it("an amount with three decimals: HELD with what it rounds down to", async () => {
        const { order, payment } = await kit.topUp("ahnajak", 500);
        await withOverrides(kit.ahnajak, { webhookOverrides: { amount: "5.005" } }, () => kit.ahnajak.pay({ reference: order.reference, checkoutUrl: payment.checkoutUrl }));
        expect(kit.ahnajak.deliveries.at(-1)!.status).toBe(200);
        await expectHeld(order, { flag: "REVIEW", amountMinor: 500, currency: "USD" }, 'the amount "5.005" is not a plain, exact USD amount');
      });

      it("a signed body that is not JSON: an orphan row under the body's digest, the admins told", async () => {
        const { order, payment } = await kit.topUp("ahnajak", 500);
        const body = `paid ${order.reference} 5.00`;
        await withOverrides(kit.ahnajak, { webhookRawBody: body }, () => kit.ahnajak.pay({ reference: order.reference, checkoutUrl: payment.checkoutUrl }));
        expect(kit.ahnajak.deliveries.at(-1)!.status).toBe(200);
        await expectOrphan(`body:${createHash("sha256").update(body).digest("hex")}`, "the body is not a JSON object");
        expect((await database.db.topUp.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("PENDING");
        await settle();
        expect(kit.panelCreditsFor(order.reference)).toHaveLength(0);
      });

      it("a transaction_id that is not one of our references: an orphan row under that id", async () => {
        const { order, payment } = await kit.topUp("ahnajak", 500);
        const id = `ORDER-${dialect.name}-1`;
        await withOverrides(kit.ahnajak, { webhookOverrides: { transaction_id: id } }, () => kit.ahnajak.pay({ reference: order.reference, checkoutUrl: payment.checkoutUrl }));
        expect(kit.ahnajak.deliveries.at(-1)!.status).toBe(200);
        await expectOrphan(id, `no top-up of ours matches reference ${id}`);
        await settle();
        expect(kit.panelCreditsFor(order.reference)).toHaveLength(0);
      });
    });
  });
}
