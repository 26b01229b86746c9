import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPayment } from "../../src/ledger/record-payment.js";
import { eventually } from "../support/core.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { ADMIN_CHAT, CUSTOMER_CHAT, startMoneyKit, type MoneyKit } from "./money-kit.js";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`record first, decide after, on ${dialect.name}`, () => {
    let database: TestDatabase;
    let kit: MoneyKit;
    let seq = 0;

    beforeAll(async () => {
      database = await dialect.fresh();
      kit = await startMoneyKit(database);
    });
    afterAll(async () => {
      await kit?.stop();
      await database?.drop();
    });

    async function topUp(provider: "payway" | "raksmeypay", amountMinor = 500) {
      const started = await kit.core.topUps.start({ userId: kit.userId, chatId: BigInt(CUSTOMER_CHAT), amountMinor, provider });
      if (!started.ok) throw new Error(started.reason);
      return started;
    }
    const adminSaid = (needle: string) => eventually(async () => kit.texts(ADMIN_CHAT).find((t) => t.includes(needle)), `admin note with "${needle}"`);
    const customerSaid = (needle: string) => eventually(async () => kit.texts(CUSTOMER_CHAT).find((t) => t.includes(needle)), `customer note with "${needle}"`);
    const panelCreditsFor = (reference: string) => kit.panelSim.payments.filter((p) => p.memo.includes(reference));

    it("an unsigned underpayment (4.50 on a 5.00 QR) is recorded and HELD, both told, nothing credited, until /recredit credits what was paid", async () => {
      const { topUp: order, payment } = await topUp("payway");
      await kit.payway.pay({ reference: order.reference, qr: payment.qr, amountMinor: 450, currency: "USD" });
      expect(kit.payway.deliveries.at(-1)!.status).toBe(200);

      const row = await database.db.payment.findFirstOrThrow({ where: { topUpId: order.id }, include: { credit: true } });
      expect(row).toMatchObject({ provider: "payway", amountMinor: 450, currency: "USD", flag: "UNDERPAID" });
      expect(row.credit).toMatchObject({ status: "HELD", amountMinor: 450 });
      expect(row.credit!.lastError).toMatch(/less than/);
      expect((await database.db.topUp.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("HELD");

      const note = await adminSaid(`ref ${order.reference}`);
      expect(note).toContain("HELD");
      expect(note).toContain("payway");
      expect(note).toContain("4.50");
      expect(note).toContain("5.00");
      expect(note).toMatch(/Why: paid .*4\.50.*less than/);
      expect(await customerSaid(order.reference)).toMatch(/check it/);

      const pending = await kit.lookup.pending();
      expect(pending.heldCredits.map((c) => c.reference)).toContain(order.reference);
      const found = await kit.lookup.find(order.reference);
      expect(found.kind === "topup" && found.timeline.some((e) => e.event === "held" && /less than/.test(e.detail))).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(panelCreditsFor(order.reference)).toHaveLength(0);

      expect(await kit.adminCredits.recredit({ reference: order.reference, adminId: 1n })).toMatchObject({ status: "queued" });
      await eventually(async () => panelCreditsFor(order.reference).length === 1, "credited after /recredit");
      expect(panelCreditsFor(order.reference)[0]!.amountMinor).toBe(450);
    });

    it("a second payment of an unsigned provider's QR is HELD, never credited automatically", async () => {
      const { topUp: order, payment } = await topUp("payway", 700);
      await kit.payway.pay({ reference: order.reference, qr: payment.qr });
      await eventually(async () => panelCreditsFor(order.reference).length === 1, "first payment credited");
      await kit.payway.pay({ reference: order.reference, qr: payment.qr });
      expect(kit.payway.deliveries.at(-1)!.status).toBe(200);

      const rows = await database.db.payment.findMany({ where: { topUpId: order.id }, include: { credit: true }, orderBy: { id: "asc" } });
      expect(rows.map((r) => r.flag)).toEqual(["OK", "REPEAT"]);
      expect(rows[1]!.credit!.status).toBe("HELD");
      expect(rows[1]!.credit!.lastError).toMatch(/not signed/);
      const note = await adminSaid("Payment HELD (REPEAT)");
      expect(note).toContain(order.reference);
      await customerSaid(`(reference ${order.reference}). Our team needs to check it`);
      await new Promise((r) => setTimeout(r, 300));
      expect(panelCreditsFor(order.reference)).toHaveLength(1);
      expect((await kit.lookup.pending()).heldCredits.some((c) => c.reference === order.reference)).toBe(true);
    });

    it("an unsigned notification naming no order of ours is not verified: 404 and nothing stored", async () => {
      const before = await database.db.payment.count();
      await kit.payway.pay({ reference: "KQ-NOT-OURS", amountMinor: 500, currency: "USD" });
      expect(kit.payway.deliveries.at(-1)!.status).toBe(404);
      expect(await database.db.payment.count()).toBe(before);
    });

    it("a repeat from a signed source is credited automatically, flagged REPEAT, admins told", async () => {
      const { topUp: order, payment } = await topUp("raksmeypay", 900);
      await kit.raksmey.pay({ reference: order.reference, qr: payment.qr });
      await eventually(async () => panelCreditsFor(order.reference).length === 1, "first payment credited");
      const again = await recordPayment(kit.core.ledger, { provider: "raksmeypay", providerTxnId: `bakong-hash-${++seq}`, reference: order.reference, amountMinor: 900, currency: "USD", raw: {} }, { source: "webhook", signed: true });
      expect(again).toMatchObject({ outcome: "recorded", flag: "REPEAT" });
      await eventually(async () => panelCreditsFor(order.reference).length === 2, "repeat credited");
      const note = await adminSaid(`Repeat payment 9.00 USD via raksmeypay on ref ${order.reference}`);
      expect(note).toContain("Credited automatically");
      // RaksmeyPay names no payer: the note says nothing about one (no "payer -").
      expect(note).not.toContain("payer");
    });

    it("a signed payment for no top-up of ours is kept as an orphan: row, admin note, /pending, /find, /recredit says /credit", async () => {
      const txn = `orphan-${++seq}`;
      const outcome = await recordPayment(kit.core.ledger, { provider: "raksmeypay", providerTxnId: txn, reference: "KQ-GONE-1", amountMinor: 1234, currency: "USD", raw: {} }, { source: "webhook", signed: true });
      expect(outcome).toMatchObject({ outcome: "orphan" });
      const row = await database.db.payment.findFirstOrThrow({ where: { providerTxnId: txn }, include: { credit: true } });
      expect(row).toMatchObject({ topUpId: null, flag: "ORPHAN", amountMinor: 1234, reference: "KQ-GONE-1", credit: null });
      expect(await adminSaid(`txn ${txn}`)).toMatch(/matches none of our top-ups: no top-up of ours matches reference KQ-GONE-1/);
      expect((await kit.lookup.pending()).orphanPayments.map((p) => p.providerTxnId)).toContain(txn);
      for (const query of [txn, "KQ-GONE-1"]) {
        const found = await kit.lookup.find(query);
        expect(found.kind === "payments" && found.payments.map((p) => p.providerTxnId)).toEqual([txn]);
      }
      expect(await kit.adminCredits.recredit({ reference: "KQ-GONE-1", adminId: 1n })).toEqual({ status: "orphan" });
      const duplicate = await recordPayment(kit.core.ledger, { provider: "raksmeypay", providerTxnId: txn, reference: "KQ-GONE-1", amountMinor: 1234, currency: "USD", raw: {} }, { source: "poll", signed: true });
      expect(duplicate).toEqual({ outcome: "duplicate", paymentId: row.id });
    });

    it("a signed payment on another provider's top-up is an orphan, not credited to it", async () => {
      const { topUp: order, payment } = await topUp("payway", 300);
      const outcome = await recordPayment(kit.core.ledger, { provider: "raksmeypay", providerTxnId: `cross-${++seq}`, reference: order.reference, amountMinor: 300, currency: "USD", raw: {} }, { source: "webhook", signed: true });
      expect(outcome).toMatchObject({ outcome: "orphan", reason: expect.stringContaining("paid through payway") });
      expect((await database.db.topUp.findUniqueOrThrow({ where: { id: order.id } })).status).toBe("PENDING");
      await kit.payway.pay({ reference: order.reference, qr: payment.qr });
      await eventually(async () => panelCreditsFor(order.reference).length === 1, "its own payment credited");
    });

    it("an adapter's hold reason holds an exact payment with that reason", async () => {
      const { topUp: order } = await topUp("raksmeypay", 1500);
      const outcome = await recordPayment(
        kit.core.ledger,
        { provider: "raksmeypay", providerTxnId: `hold-${++seq}`, reference: order.reference, amountMinor: 1500, currency: "USD", holdReason: "paid to account other@bank, ours is shop@bank", raw: {} },
        { source: "poll", signed: true },
      );
      expect(outcome).toMatchObject({ outcome: "held", flag: "REVIEW", reason: "paid to account other@bank, ours is shop@bank" });
      expect(await adminSaid("Why: paid to account other@bank")).toContain(order.reference);
    });

    it("3,000,000,000 riel is recorded as such", async () => {
      const order = await database.db.topUp.create({
        data: { reference: "KQ-BIG-KHR", userId: kit.userId, chatId: BigInt(CUSTOMER_CHAT), provider: "raksmeypay", currency: "KHR", amountMinor: 3_000_000_000, panelLogin: "dara", status: "PENDING", expiresAt: new Date(Date.now() + 600_000) },
      });
      const outcome = await recordPayment(kit.core.ledger, { provider: "raksmeypay", providerTxnId: `big-${++seq}`, reference: order.reference, amountMinor: 3_000_000_000, currency: "KHR", raw: {} }, { source: "webhook", signed: true });
      expect(outcome).toMatchObject({ outcome: "recorded", flag: "OK" });
      const row = await database.db.payment.findFirstOrThrow({ where: { topUpId: order.id }, include: { credit: true } });
      expect(row.amountMinor).toBe(3_000_000_000);
      expect(row.credit!.amountMinor).toBe(Math.floor((3_000_000_000 * 100) / 4100));
      await eventually(async () => panelCreditsFor(order.reference).length === 1, "the big payment credited");
    });
  });
}
