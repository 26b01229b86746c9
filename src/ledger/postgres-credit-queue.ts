import type pg from "pg";
import type { Credit } from "../generated/sqlite/client.js";
import { CreditKind, CreditStatus, TopUpStatus } from "./states.js";
import { BONUS_INSERT_COLUMNS, planBonusCredit, type PlannedBonus } from "./bonus-credit.js";
import { claimedFromRow, type CreditQueue, type FinishedCredit, type FinishPolicy, type PanelReceipt, type RawCredit } from "./credit-queue.js";
import { sqlSources } from "./moves.js";
import { prepared } from "./pg-statement.js";
import { postgresIsoColumn, postgresTimestamp } from "./sql-time.js";
import { IllegalTransition, NotificationStatus } from "./transitions.js";

const TIMESTAMPS = ["nextAttemptAt", "firstFailureAt", "claimedUntil", "createdAt", "doneAt"];
const CREDIT_COLUMNS = [
  "id", "merchantId", "paymentId", "topUpId", "panelLogin", "amountMinor", "currency", "rate", "memo", "kind", "status", "attempts",
  "claimedBy", "errorKind", "lastError", "panelPaymentId", "balanceMinor", "basisMinor",
].map((c) => `"${c}"`).concat(TIMESTAMPS.map(postgresIsoColumn)).join(", ");

const { QUEUED, SENDING, RECONCILE, DONE } = CreditStatus;

/** Due credits in one state, oldest first, off the (status, nextAttemptAt) index; rows being claimed elsewhere are skipped. */
const due = (status: string) =>
  `SELECT "id" FROM "credits" WHERE "status" = '${status}' AND "nextAttemptAt" <= $3::timestamp AND ("claimedUntil" IS NULL OR "claimedUntil" < $3::timestamp)
   ORDER BY "nextAttemptAt" LIMIT $4 FOR UPDATE SKIP LOCKED`;

// RECONCILE first: a credit of unknown outcome must not wait behind a backlog of new ones.
const CLAIM = prepared("ledger-claim-credits", `
  WITH r AS (${due(RECONCILE)}), q AS (${due(QUEUED)})
  UPDATE "credits" SET "status" = CASE WHEN "status" = '${QUEUED}' THEN '${SENDING}' ELSE "status" END, "claimedBy" = $1, "claimedUntil" = $2::timestamp
  WHERE "id" IN (SELECT "id" FROM (SELECT "id" FROM r UNION ALL SELECT "id" FROM q) AS d LIMIT $4)
  RETURNING ${CREDIT_COLUMNS}`);

/**
 * Finishes a batch in one statement: credits DONE, their top-ups CREDITED, last balances, receipts (on a
 * top-up refunded meanwhile: a note to the admins instead).
 * `old` reads the top-ups as they were before this statement (every part of a statement sees one
 * snapshot), which tells a released held payment from a late one.
 */
const FINISH = prepared("ledger-finish-credits", `
  WITH input AS (SELECT * FROM unnest($1::int[], $2::text[], $3::bigint[]) AS i("id", "panelPaymentId", "balanceMinor")),
  c AS (
    UPDATE "credits" AS cr SET "status" = '${DONE}', "doneAt" = $4::timestamp, "panelPaymentId" = i."panelPaymentId", "balanceMinor" = i."balanceMinor",
      "claimedBy" = NULL, "claimedUntil" = NULL, "lastError" = NULL
    FROM input AS i
    WHERE cr."id" = i."id" AND cr."kind" <> '${CreditKind.BONUS}' AND cr."status" IN (${sqlSources("credit", DONE, [SENDING, RECONCILE])})
    RETURNING cr."id", cr."merchantId", cr."topUpId", cr."paymentId", cr."panelLogin", i."balanceMinor"),
  old AS (SELECT t."id", t."reference", t."provider", t."status", t."expiresAt", t."paidAt", t."chatId", t."userId" FROM "top_ups" AS t WHERE t."id" IN (SELECT "topUpId" FROM c)),
  moved AS (
    UPDATE "top_ups" SET "status" = '${TopUpStatus.CREDITED}', "creditedAt" = $4::timestamp, "updatedAt" = $4::timestamp
    WHERE "id" IN (SELECT "topUpId" FROM c) AND "status" IN (${sqlSources("topUp", TopUpStatus.CREDITED)})),
  balances AS (
    UPDATE "users" AS u SET "lastBalanceMinor" = c."balanceMinor", "updatedAt" = $4::timestamp
    FROM c JOIN old ON old."id" = c."topUpId" WHERE u."id" = old."userId" AND u."panelLogin" = c."panelLogin" AND c."balanceMinor" IS NOT NULL),
  receipts AS (
    INSERT INTO "notifications" ("merchantId", "dedupeKey", "chatId", "kind", "payload", "status", "attempts", "nextAttemptAt", "createdAt")
    SELECT c."merchantId", 'credited:' || c."id" || '@' || old."chatId", old."chatId", 'topup.credited',
           '{"kind":"topup.credited","topUpId":' || old."id" || ',"late":' || CASE WHEN old."status" <> '${TopUpStatus.HELD}' AND old."expiresAt" < COALESCE(old."paidAt", $4::timestamp) THEN 'true' ELSE 'false' END || '}',
           '${NotificationStatus.QUEUED}', 0, $4::timestamp, $4::timestamp
    FROM c JOIN old ON old."id" = c."topUpId" WHERE old."status" <> '${TopUpStatus.REFUNDED}'
    ON CONFLICT ("merchantId", "dedupeKey") DO NOTHING),
  after_refund AS (
    INSERT INTO "notifications" ("merchantId", "dedupeKey", "chatId", "kind", "payload", "status", "attempts", "nextAttemptAt", "createdAt")
    SELECT c."merchantId", 'after-refund:' || c."id" || '@' || a."chat", a."chat", 'admin.after-refund', '{"kind":"admin.after-refund","creditId":' || c."id" || '}',
           '${NotificationStatus.QUEUED}', 0, $4::timestamp, $4::timestamp
    FROM c JOIN old ON old."id" = c."topUpId" CROSS JOIN unnest($5::bigint[]) AS a("chat") WHERE old."status" = '${TopUpStatus.REFUNDED}'
    ON CONFLICT ("merchantId", "dedupeKey") DO NOTHING)
  SELECT c."id", c."topUpId", old."reference", old."provider", old."status" AS "topUpStatus", p."amountMinor"::text AS "paymentAmount", p."currency" AS "paymentCurrency"
  FROM c LEFT JOIN old ON old."id" = c."topUpId" LEFT JOIN "payments" AS p ON p."id" = c."paymentId"`);

const INSERT_BONUSES = `
  INSERT INTO "credits" ${BONUS_INSERT_COLUMNS}
  SELECT b."merchantId", NULL, b."topUpId", b."panelLogin", b."amountMinor", b."currency", b."rate", b."memo", '${CreditKind.BONUS}', '${QUEUED}', 0, $7::timestamp, $7::timestamp
  FROM unnest($1::int[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $8::int[]) AS b("topUpId", "panelLogin", "amountMinor", "currency", "rate", "memo", "merchantId")
  ON CONFLICT ("memo") DO NOTHING RETURNING "memo"`;

interface FinishRow {
  id: number;
  topUpId: number | null;
  reference: string | null;
  provider: string | null;
  topUpStatus: string | null;
  paymentAmount: string | null;
  paymentCurrency: string | null;
}

interface Waiting {
  credit: Credit;
  receipt: PanelReceipt;
  resolve(done: FinishedCredit): void;
  reject(err: unknown): void;
}

/**
 * PostgreSQL's crediter hot path over the pg pool. Finishes arriving in the same event-loop turn share
 * one statement (group commit); with a deposit bonus configured, that statement and the bonus inserts
 * share one transaction.
 */
export function createPostgresCreditQueue(pool: pg.Pool): CreditQueue {
  let waiting: Waiting[] = [];
  let scheduled: { at: Date; policy: FinishPolicy } | null = null;

  /** Writes the batch: one statement, or with a bonus policy that statement and the bonus inserts in one transaction. */
  async function write(batch: Waiting[], at: Date, { bonus, adminChats }: FinishPolicy): Promise<{ rows: FinishRow[]; bonusQueued: Map<number, number> }> {
    const params = [
      batch.map((w) => w.credit.id), batch.map((w) => w.receipt.panelPaymentId ?? null), batch.map((w) => w.receipt.balanceMinor ?? null), postgresTimestamp(at),
      adminChats.map(String),
    ];
    const bonusQueued = new Map<number, number>();
    if (!bonus || bonus.tiers.tiers.length === 0) return { rows: (await pool.query<FinishRow>(FINISH(params))).rows, bonusQueued };
    const credits = new Map(batch.map((w) => [w.credit.id, w.credit]));
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<FinishRow>(FINISH(params));
      const planned: (PlannedBonus & { creditId: number })[] = [];
      for (const row of rows) {
        const credit = credits.get(row.id)!;
        if (row.paymentAmount === null || credit.paymentId === null || row.topUpStatus === TopUpStatus.REFUNDED) continue;
        const plan = planBonusCredit(credit, { id: credit.paymentId, amountMinor: Number(row.paymentAmount), currency: row.paymentCurrency! }, row.reference!, bonus);
        if (plan) planned.push({ ...plan, creditId: row.id });
      }
      if (planned.length > 0) {
        const inserted = await client.query<{ memo: string }>(INSERT_BONUSES, [
          planned.map((b) => b.topUpId), planned.map((b) => b.panelLogin), planned.map((b) => b.amountMinor), planned.map((b) => b.currency),
          planned.map((b) => b.rate), planned.map((b) => b.memo), postgresTimestamp(at), planned.map((b) => b.merchantId),
        ]);
        const memos = new Set(inserted.rows.map((r) => r.memo));
        for (const b of planned) if (memos.has(b.memo)) bonusQueued.set(b.creditId, b.amountMinor);
      }
      await client.query("COMMIT");
      return { rows, bonusQueued };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async function finishBatch(batch: Waiting[], at: Date, policy: FinishPolicy): Promise<void> {
    try {
      const { rows, bonusQueued } = await write(batch, at, policy);
      const finished = new Map(rows.map((r) => [r.id, r]));
      const stray = batch.filter((w) => !finished.has(w.credit.id));
      const states = stray.length === 0 ? new Map<number, string>() : await currentStates(pool, stray.map((w) => w.credit.id));
      for (const w of batch) {
        const row = finished.get(w.credit.id);
        if (row) w.resolve({ topUpId: row.topUpId, bonusQueued: bonusQueued.get(row.id) ?? 0, provider: row.provider });
        else w.reject(new IllegalTransition("credit", states.get(w.credit.id) ?? "(missing)", DONE, w.credit.id));
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  return {
    async claim(opts) {
      if (opts.limit <= 0) return [];
      const { rows } = await pool.query<RawCredit>(CLAIM([opts.instanceId, postgresTimestamp(new Date(opts.at.getTime() + opts.leaseMs)), postgresTimestamp(opts.at), opts.limit]));
      return rows.map(claimedFromRow);
    },
    finish(credit, receipt, at, policy) {
      if (credit.kind === CreditKind.BONUS) return Promise.reject(new Error("a bonus credit is finished by the crediter's admin-aware path"));
      return new Promise((resolve, reject) => {
        waiting.push({ credit, receipt, resolve, reject });
        if (scheduled) return;
        scheduled = { at, policy };
        setImmediate(() => {
          const batch = waiting;
          const { at: batchAt, policy: batchPolicy } = scheduled!;
          waiting = [];
          scheduled = null;
          void finishBatch(batch, batchAt, batchPolicy);
        });
      });
    },
  };
}

async function currentStates(pool: pg.Pool, ids: number[]): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ id: number; status: string }>(`SELECT "id", "status" FROM "credits" WHERE "id" = ANY($1::int[])`, [ids]);
  return new Map(rows.map((r) => [r.id, r.status]));
}
