import type { Db } from "../db/database.js";
import type { TopUp } from "../generated/sqlite/client.js";
import { TopUpStatus } from "./states.js";
import { moveTopUp } from "./moves.js";
import { enqueueNotification } from "./outbox.js";

type NewTopUp = Pick<TopUp, "merchantId" | "reference" | "userId" | "chatId" | "provider" | "currency" | "amountMinor" | "panelLogin" | "qr" | "md5" | "checkoutUrl" | "providerRef" | "expiresAt" | "nextPollAt" | "createdAt">;

/** Records a top-up the provider has just created a payment for: PENDING until it is paid, cancelled or expires. */
export async function openTopUp(db: Pick<Db, "topUp">, data: NewTopUp): Promise<TopUp> {
  return db.topUp.create({ data: { ...data, status: TopUpStatus.PENDING } });
}

/** The chat message that shows the top-up's QR card, to edit it later. */
export async function attachTopUpMessage(db: Pick<Db, "topUp">, topUpId: number, messageId: number): Promise<void> {
  await db.topUp.update({ where: { id: topUpId }, data: { messageId } });
}

/** The customer cancelled. Returns whether it moved (it was still pending). */
export async function cancelTopUp(db: Pick<Db, "topUp" | "credit" | "notification">, topUpId: number, at: Date): Promise<boolean> {
  return moveTopUp(db, topUpId, TopUpStatus.CANCELLED, { closedAt: at });
}

/** An unpaid top-up past its expiry: marked expired and its customer told, once. Returns whether it moved. */
export async function expireTopUp(db: Db, topUp: Pick<TopUp, "id" | "merchantId" | "chatId">, at: Date): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const changed = await moveTopUp(tx, topUp.id, TopUpStatus.EXPIRED, { closedAt: at });
    if (changed) await enqueueNotification(tx, topUp.merchantId, [topUp.chatId], `expired:${topUp.id}`, { kind: "topup.expired", topUpId: topUp.id }, at);
    return changed;
  });
}
