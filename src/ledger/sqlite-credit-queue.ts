import type Sqlite from "better-sqlite3";
import type { Credit } from "../generated/sqlite/client.js";
import { CreditKind, CreditStatus, TopUpStatus } from "./states.js";
import { BONUS_INSERT_COLUMNS, bonusValues, planBonusCredit } from "./bonus-credit.js";
import { claimedFromRow, type ClaimedCredit, type ClaimOptions, type CreditQueue, type FinishedCredit, type FinishPolicy, type PanelReceipt, type RawCredit } from "./credit-queue.js";
import { sqlSources } from "./moves.js";
import type { GroupCommitted } from "./sqlite-group-commit.js";
import { sqliteTimestamp } from "./sql-time.js";
import { IllegalTransition, NotificationStatus } from "./transitions.js";

/** What a claim picks before it takes: `k` orders RECONCILE (0) before QUEUED (1), then oldest first. */
type Pick = { id: number; k: number; nextAttemptAt: string };
const byTurn = (a: Pick, b: Pick) => a.k - b.k || (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : 0);

interface FinishUnit {
  credit: Credit;
  receipt: PanelReceipt;
  at: Date;
  policy: FinishPolicy;
}

/** SQLite's crediter hot path: prepared statements in synchronous transactions on the ledger's connection. */
export function createSqliteCreditQueue(db: Sqlite.Database, groupCommit: GroupCommitted): CreditQueue {
  const { QUEUED, SENDING, RECONCILE, DONE } = CreditStatus;
  const q = {
    // Off the (status, merchantId, nextAttemptAt) index: the next merchant with credits in a state (one seek, however
    // many it has), then that merchant's due credits, oldest first, up to its free slots.
    nextMerchant: db.prepare<[string, number], { merchantId: number }>(`SELECT "merchantId" FROM "credits" WHERE "status" = ? AND "merchantId" > ? ORDER BY "merchantId" LIMIT 1`),
    dueOf: db.prepare<[{ status: string; merchantId: number; at: string; limit: number }], { id: number; nextAttemptAt: string }>(
      `SELECT "id", "nextAttemptAt" FROM "credits" WHERE "status" = @status AND "merchantId" = @merchantId AND "nextAttemptAt" <= @at
         AND ("claimedUntil" IS NULL OR "claimedUntil" < @at) ORDER BY "nextAttemptAt" LIMIT @limit`,
    ),
    // By id (`+` keeps the status index out of it: walking it would read every merchant's backlog again).
    take: db.prepare<[{ instanceId: string; until: string; ids: string }], RawCredit>(
      `UPDATE "credits" SET "status" = CASE WHEN "status" = '${QUEUED}' THEN '${SENDING}' ELSE "status" END, "claimedBy" = @instanceId, "claimedUntil" = @until
       WHERE "id" IN (SELECT "value" FROM json_each(@ids)) AND +"status" IN ('${QUEUED}', '${RECONCILE}')
       RETURNING *`,
    ),
    done: db.prepare(
      `UPDATE "credits" SET "status" = '${DONE}', "doneAt" = @at, "panelPaymentId" = @panelPaymentId, "balanceMinor" = @balanceMinor,
         "claimedBy" = NULL, "claimedUntil" = NULL, "lastError" = NULL
       WHERE "id" = @id AND "status" IN (${sqlSources("credit", DONE, [SENDING, RECONCILE])})`,
    ),
    status: db.prepare<[number], { status: string }>(`SELECT "status" FROM "credits" WHERE "id" = ?`),
    topUp: db.prepare<[number], { id: number; reference: string; provider: string; chatId: number | bigint; userId: number; status: string; expiresAt: string; paidAt: string | null }>(
      `SELECT "id", "reference", "provider", "chatId", "userId", "status", "expiresAt", "paidAt" FROM "top_ups" WHERE "id" = ?`,
    ),
    credited: db.prepare<[string, string, number]>(
      `UPDATE "top_ups" SET "status" = '${TopUpStatus.CREDITED}', "creditedAt" = ?, "updatedAt" = ? WHERE "id" = ? AND "status" IN (${sqlSources("topUp", TopUpStatus.CREDITED)})`,
    ),
    // Only while the customer is still linked to the login the credit went to.
    balance: db.prepare<[number, string, number, string]>(`UPDATE "users" SET "lastBalanceMinor" = ?, "updatedAt" = ? WHERE "id" = ? AND "panelLogin" = ?`),
    payment: db.prepare<[number], { id: number; amountMinor: number; currency: string }>(`SELECT "id", "amountMinor", "currency" FROM "payments" WHERE "id" = ?`),
    bonus: db.prepare(`INSERT INTO "credits" ${BONUS_INSERT_COLUMNS} VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT ("memo") DO NOTHING`),
    note: db.prepare(
      `INSERT INTO "notifications" ("merchantId", "dedupeKey", "chatId", "kind", "payload", "status", "attempts", "nextAttemptAt", "createdAt")
       VALUES (?, ?, ?, ?, ?, '${NotificationStatus.QUEUED}', 0, ?, ?) ON CONFLICT ("merchantId", "dedupeKey") DO NOTHING`,
    ),
  };

  /** A credit that landed after its top-up was refunded: no receipt, no bonus; the admins are told. */
  function landedAfterRefund(credit: Credit, provider: string, adminChats: readonly bigint[], now: string): FinishedCredit {
    const payload = JSON.stringify({ kind: "admin.after-refund", creditId: credit.id });
    for (const chatId of adminChats) q.note.run(credit.merchantId, `after-refund:${credit.id}@${chatId}`, chatId, "admin.after-refund", payload, now, now);
    return { topUpId: credit.topUpId, bonusQueued: 0, provider };
  }

  function finishOne({ credit, receipt, at, policy }: FinishUnit): FinishedCredit {
    if (credit.kind === CreditKind.BONUS) throw new Error("a bonus credit is finished by the crediter's admin-aware path");
    const now = sqliteTimestamp(at);
    const moved = q.done.run({ id: credit.id, at: now, panelPaymentId: receipt.panelPaymentId ?? null, balanceMinor: receipt.balanceMinor ?? null });
    if (moved.changes === 0) throw new IllegalTransition("credit", q.status.get(credit.id)?.status ?? "(missing)", DONE, credit.id);
    if (credit.topUpId === null) return { topUpId: null, bonusQueued: 0, provider: null };
    const topUp = q.topUp.get(credit.topUpId)!;
    if (receipt.balanceMinor !== undefined) q.balance.run(receipt.balanceMinor, now, topUp.userId, credit.panelLogin);
    if (topUp.status === TopUpStatus.REFUNDED) return landedAfterRefund(credit, topUp.provider, policy.adminChats, now);
    const { bonus } = policy;
    // A late payment's receipt says so; a held one released by an admin is not "late".
    const late = topUp.status === TopUpStatus.HELD ? false : new Date(topUp.expiresAt) < new Date(topUp.paidAt ?? now);
    q.credited.run(now, now, topUp.id);
    let bonusQueued = 0;
    const payment = bonus && credit.paymentId !== null ? q.payment.get(credit.paymentId) : undefined;
    const planned = payment ? planBonusCredit(credit, payment, topUp.reference, bonus) : null;
    if (planned && q.bonus.run(...bonusValues(planned), now, now).changes === 1) bonusQueued = planned.amountMinor;
    const chatId = BigInt(topUp.chatId);
    q.note.run(credit.merchantId, `credited:${credit.id}@${chatId}`, chatId, "topup.credited", JSON.stringify({ kind: "topup.credited", topUpId: topUp.id, late }), now, now);
    return { topUpId: topUp.id, bonusQueued, provider: topUp.provider };
  }

  const finish = groupCommit(finishOne);
  /**
   * Each merchant with room gets at most its free slots, read off its own part of the index: a merchant without room
   * (its panel hanging) costs a claim one seek, not a walk past its backlog. RECONCILE first: a credit of unknown
   * outcome must not wait behind a backlog of new ones.
   */
  function claimOne(o: ClaimOptions): ClaimedCredit[] {
    const at = sqliteTimestamp(o.at);
    const left = new Map(o.room);
    const picks: Pick[] = [];
    for (const [k, status] of [RECONCILE, QUEUED].entries()) {
      for (let m = q.nextMerchant.get(status, -1); m; m = q.nextMerchant.get(status, m.merchantId)) {
        const limit = left.get(m.merchantId) ?? 0;
        if (limit <= 0) continue;
        const due = q.dueOf.all({ status, merchantId: m.merchantId, at, limit });
        left.set(m.merchantId, limit - due.length);
        for (const d of due) picks.push({ id: d.id, k, nextAttemptAt: d.nextAttemptAt });
      }
    }
    const taken = picks.sort(byTurn).slice(0, o.limit);
    if (taken.length === 0) return [];
    const turn = new Map(taken.map((p, i) => [p.id, i]));
    const rows = q.take.all({ instanceId: o.instanceId, until: sqliteTimestamp(new Date(o.at.getTime() + o.leaseMs)), ids: JSON.stringify([...turn.keys()]) });
    return rows.map(claimedFromRow).sort((a, b) => turn.get(a.id)! - turn.get(b.id)!);
  }
  const claim = groupCommit(claimOne);

  return {
    claim: (opts) => (opts.limit <= 0 || opts.room.size === 0 ? Promise.resolve([]) : claim(opts)),
    finish: (credit, receipt, at, policy) => finish({ credit, receipt, at, policy }),
  };
}
