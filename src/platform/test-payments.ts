import type { Db } from "../db/database.js";
import { DEFAULT_MERCHANT_ID } from "../db/merchant-scope.js";

/**
 * The shop bot's start parameter of a test payment (`https://t.me/<shop bot>?start=testpayment`): from one of the
 * shop's admins (ADMIN_IDS) it opens one; anyone else's is refused.
 */
export const TEST_PAYMENT_START = "testpayment";

/** The audit row of a merchant verified by its first credited test payment. */
export const MERCHANT_VERIFIED_ACTION = "merchant_verified";

/** When each step of a test payment happened, from the admin's request to the receipt. */
export interface TestPaymentSteps {
  topUpId: number;
  reference: string;
  requestedAt: Date;
  /** Its KHQR card sent; null when the card was never confirmed sent. */
  shownAt: Date | null;
  /**
   * Paid as the provider told the shop (webhook or status answer): the ledger records the payment in the same
   * transaction that learns of it (record first), so this is also when it was recorded.
   */
  paidAt: Date;
  /** Credited on the panel. */
  creditedAt: Date;
  /** The receipt sent to the admin. */
  receiptAt: Date;
}

/** A merchant's verification: its first credited test payment, whose receipt went out at `verifiedAt`. */
export interface Verification {
  verifiedAt: Date;
  steps: TestPaymentSteps;
}

async function stepsOf(db: Db, merchantId: number, topUpId: number, receiptAt: Date): Promise<TestPaymentSteps | undefined> {
  const test = await db.testPayment.findFirst({ where: { topUpId, merchantId } });
  if (!test) return undefined;
  const topUp = await db.topUp.findUniqueOrThrow({ where: { id: topUpId }, select: { reference: true, paidAt: true, creditedAt: true } });
  if (!topUp.paidAt || !topUp.creditedAt) return undefined;
  return { topUpId, reference: topUp.reference, requestedAt: test.requestedAt, shownAt: test.shownAt, paidAt: topUp.paidAt, creditedAt: topUp.creditedAt, receiptAt };
}

/**
 * The receipt of a credited test payment went out at `at`: its steps, and the merchant verified by it if it was not
 * yet (exactly once, with an audit row naming the payment, its admin and every step's time). Undefined for a
 * top-up that is no test payment. Safe to call again for the same receipt (a notification retried).
 */
export async function testPaymentReceiptSent(db: Db, merchantId: number, topUpId: number, at: Date): Promise<{ steps: TestPaymentSteps; verifiedNow: boolean } | undefined> {
  const steps = await stepsOf(db, merchantId, topUpId, at);
  if (!steps) return undefined;
  const verifiedNow = await db.$transaction(async (tx) => {
    const done = await tx.merchant.updateMany({ where: { id: merchantId, verifiedAt: null }, data: { verifiedAt: at, verifiedTopUpId: topUpId } });
    if (done.count === 0) return false;
    const [merchant, topUp] = await Promise.all([
      tx.merchant.findUniqueOrThrow({ where: { id: merchantId }, select: { name: true } }),
      tx.topUp.findUniqueOrThrow({ where: { id: topUpId }, select: { user: { select: { telegramId: true } } } }),
    ]);
    await tx.auditLog.create({
      data: { merchantId, actorId: topUp.user.telegramId, action: MERCHANT_VERIFIED_ACTION, subject: `merchant:${merchant.name}`, details: JSON.stringify(steps) },
    });
    return true;
  });
  return { steps, verifiedNow };
}

/** The merchant's verification; undefined until a test payment succeeded. */
export async function verificationOf(db: Db, merchantId: number): Promise<Verification | undefined> {
  const merchant = await db.merchant.findUnique({ where: { id: merchantId }, select: { verifiedAt: true, verifiedTopUpId: true } });
  if (!merchant?.verifiedAt || merchant.verifiedTopUpId === null) return undefined;
  const steps = await stepsOf(db, merchantId, merchant.verifiedTopUpId, merchant.verifiedAt);
  return steps ? { verifiedAt: merchant.verifiedAt, steps } : undefined;
}

/** Each step's time after the one before it (ms), and the system's part: all but the payer's time to pay. */
export function stepDurations(s: TestPaymentSteps): { shown: number; paid: number; credited: number; receipt: number; system: number } {
  const shown = s.shownAt ?? s.requestedAt;
  const d = {
    shown: shown.getTime() - s.requestedAt.getTime(),
    paid: s.paidAt.getTime() - shown.getTime(),
    credited: s.creditedAt.getTime() - s.paidAt.getTime(),
    receipt: s.receiptAt.getTime() - s.creditedAt.getTime(),
  };
  return { ...d, system: d.shown + d.credited + d.receipt };
}

/**
 * Whether operators are shown "not yet verified": a shop onboarded onto the platform, not removed, none of whose
 * test payments has succeeded. The environment merchant is the deployment's own .env shop: never onboarded.
 */
export function awaitsVerification(shop: { id: number; state: string; verified: boolean }): boolean {
  return !shop.verified && shop.state !== "removed" && shop.id !== DEFAULT_MERCHANT_ID;
}
