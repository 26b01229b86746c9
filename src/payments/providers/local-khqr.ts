import { encodeKhqr, khqrMd5, type KhqrAccount } from "../../khqr/index.js";
import type { TopUpRef } from "../provider.js";

export interface KhqrMerchant {
  name: string;
  city: string;
  /** Merchant category code; absent = the KHQR default. */
  mcc?: string;
}

/**
 * A dynamic KHQR we build ourselves for one top-up: its amount and currency, the reference as bill
 * number (62.01), valid from `nowMs` until the top-up expires; with the md5 that identifies it.
 */
export function buildDynamicKhqr(account: KhqrAccount, topUp: TopUpRef, merchant: KhqrMerchant, nowMs: number): { qr: string; md5: string } {
  const qr = encodeKhqr({
    account,
    mcc: merchant.mcc,
    merchantName: merchant.name,
    merchantCity: merchant.city,
    currency: topUp.currency,
    amountMinor: topUp.amountMinor,
    billNumber: topUp.reference,
    createdAt: nowMs,
    expiresAt: topUp.expiresAt.getTime(),
  });
  return { qr, md5: khqrMd5(qr) };
}
