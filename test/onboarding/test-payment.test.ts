import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator } from "../../src/bot/i18n.js";
import { testPaymentSummary } from "../../src/bot/test-payment-summary.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";
import { TopUpStatus } from "../../src/ledger/states.js";
import {
  awaitsVerification, MERCHANT_VERIFIED_ACTION, stepDurations, testPaymentReceiptSent, verificationOf, type TestPaymentSteps,
} from "../../src/platform/test-payments.js";
import { dialects, type TestDatabase } from "../support/databases.js";

const at = (s: number) => new Date(Date.UTC(2026, 2, 10, 5, 0, 0) + s * 1000);
const STEPS: TestPaymentSteps = { topUpId: 1, reference: "26031000000001", requestedAt: at(0), shownAt: at(0.4), paidAt: at(30.4), creditedAt: at(31.6), receiptAt: at(31.8) };

describe("a test payment's summary", () => {
  it("times each step from the one before; the system's part leaves the payer's time out", () => {
    expect(stepDurations(STEPS)).toEqual({ shown: 400, paid: 30_000, credited: 1_200, receipt: 200, system: 1_800 });
    // A card never confirmed sent counts from the request.
    expect(stepDurations({ ...STEPS, shownAt: null })).toMatchObject({ shown: 0, paid: 30_400 });
  });

  it("reads in English and in Khmer, with every time in it", () => {
    const en = testPaymentSummary(translator("en"), STEPS);
    expect(en).toBe([
      "🧪 Test payment 26031000000001, each step's time:",
      "• KHQR shown: 400 ms after you asked",
      "• paid and recorded (the shop records a payment the moment its provider tells it): 30.0 s later, your time to pay",
      "• credited on the panel: 1.2 s later",
      "• receipt sent: 200 ms later",
      "System time, your paying left out: 1.8 s",
    ].join("\n"));
    const km = testPaymentSummary(translator("km"), STEPS);
    expect(km).toContain("ការបង់ប្រាក់សាកល្បង 26031000000001");
    for (const time of ["400 ms", "30.0 s", "1.2 s", "200 ms", "1.8 s"]) expect(km).toContain(time);
  });

  it("every new text has its Khmer, with the same variables filled in", () => {
    const vars = { amount: "0.01 USD", login: "dara", bot: "shop_bot", panel: "https://panel.example", reference: "r1", at: "2026-03-10 12:00" };
    for (const key of ["testpay-admins-only", "testpay-link-first", "testpay-intro", "testpay-verified", "operator-state-unverified", "operator-myshop-verified",
      "operator-myshop-unverified", "operator-testpay-button", "operator-testpay-howto", "operator-testpay-howto-linked"]) {
      const km = translator("km")(key, vars);
      expect(km, key).toMatch(/[\u1780-\u17FF]/);
      expect(km, key).not.toMatch(/\{\s*\$/);
    }
    expect(translator("km")("operator-testpay-howto", vars)).toContain("@shop_bot");
    expect(translator("km")("operator-testpay-howto-linked", vars)).toContain("dara");
  });

  it("operators are shown \"not yet verified\" for an onboarded shop only, until verified", () => {
    expect(awaitsVerification({ id: 2, state: "active", verified: false })).toBe(true);
    expect(awaitsVerification({ id: 2, state: "pending", verified: false })).toBe(true);
    expect(awaitsVerification({ id: 2, state: "active", verified: true })).toBe(false);
    expect(awaitsVerification({ id: 2, state: "removed", verified: false })).toBe(false);
    expect(awaitsVerification({ id: DEFAULT_MERCHANT_ID, state: "active", verified: false })).toBe(false);
  });
});

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`a test payment's receipt verifies its shop once (${dialect.name})`, () => {
    let database: TestDatabase;
    const MERCHANT_ID = 2;

    beforeAll(async () => {
      database = await dialect.fresh();
      await database.db.merchant.create({ data: { id: MERCHANT_ID, name: "shop-t", state: "active" } });
    });
    afterAll(async () => database?.close());

    async function creditedTopUp(reference: string, test: boolean) {
      const { db } = forMerchant(database, MERCHANT_ID);
      const user = await db.user.upsert({ where: { merchantId_telegramId: { merchantId: MERCHANT_ID, telegramId: 700n } }, create: { telegramId: 700n, panelLogin: "dara" }, update: {} });
      const topUp = await db.topUp.create({
        data: { reference, userId: user.id, chatId: 700n, provider: "kess", currency: "USD", amountMinor: 1, panelLogin: "dara", status: TopUpStatus.CREDITED, expiresAt: at(900), paidAt: at(10), creditedAt: at(11), createdAt: at(0) },
      });
      if (test) await database.db.testPayment.create({ data: { topUpId: topUp.id, merchantId: MERCHANT_ID, requestedAt: at(0), shownAt: at(1) } });
      return topUp;
    }

    it("an ordinary top-up verifies nothing; the first test payment does, once, audited; a later one keeps it", async () => {
      const scoped = forMerchant(database, MERCHANT_ID).db;
      const ordinary = await creditedTopUp("26031000000011", false);
      expect(await testPaymentReceiptSent(scoped, MERCHANT_ID, ordinary.id, at(12))).toBeUndefined();
      expect(await verificationOf(database.db, MERCHANT_ID)).toBeUndefined();

      const first = await creditedTopUp("26031000000012", true);
      const sent = await testPaymentReceiptSent(scoped, MERCHANT_ID, first.id, at(12));
      expect(sent).toEqual({ verifiedNow: true, steps: { topUpId: first.id, reference: first.reference, requestedAt: at(0), shownAt: at(1), paidAt: at(10), creditedAt: at(11), receiptAt: at(12) } });
      // The notifier tries a receipt again when a send failed: the same summary, no second verification.
      expect(await testPaymentReceiptSent(scoped, MERCHANT_ID, first.id, at(13))).toMatchObject({ verifiedNow: false });
      const second = await creditedTopUp("26031000000013", true);
      expect(await testPaymentReceiptSent(scoped, MERCHANT_ID, second.id, at(20))).toMatchObject({ verifiedNow: false, steps: { reference: second.reference } });

      expect(await database.db.merchant.findUniqueOrThrow({ where: { id: MERCHANT_ID } })).toMatchObject({ verifiedAt: at(12), verifiedTopUpId: first.id });
      expect(await verificationOf(database.db, MERCHANT_ID)).toMatchObject({ verifiedAt: at(12), steps: { reference: first.reference } });
      const audit = await database.db.auditLog.findMany({ where: { action: MERCHANT_VERIFIED_ACTION } });
      expect(audit.map((a) => [a.merchantId, a.actorId, a.subject])).toEqual([[MERCHANT_ID, 700n, "merchant:shop-t"]]);
      expect(JSON.parse(audit[0]!.details)).toMatchObject({ topUpId: first.id, reference: first.reference });
    });

    it("another shop's test payment does not verify this one", async () => {
      const other = await creditedTopUp("26031000000014", true);
      expect(await testPaymentReceiptSent(forMerchant(database, 3).db, 3, other.id, at(30))).toBeUndefined();
    });
  });
}
