import type Sqlite from "better-sqlite3";
import type { TopUp } from "../generated/sqlite/client.js";
import { creditFor, judgePayment, orphanNotes, orphanReason, paymentNotes, samePaymentRecorded, type EarlierPayment, type PlannedNote, type RecorderConfig } from "./decide.js";
import type { PaymentObservation, RecordOptions, RecordOutcome } from "./observation.js";
import { PaymentFlag, TopUpStatus } from "./states.js";
import { countPaymentSet } from "./count-payment.js";
import type { GroupCommitted } from "./sqlite-group-commit.js";
import { sqliteTimestamp } from "./sql-time.js";
import { NotificationStatus } from "./transitions.js";

const TOP_UP_COLUMNS = `"id", "reference", "provider", "currency", "amountMinor", "panelLogin", "chatId"`;

/**
 * SQLite's hot path for payments: a payment, its credit and its notes recorded in one synchronous
 * better-sqlite3 transaction with statements prepared once, group-committed (src/ledger/sqlite-group-commit.ts).
 */
export function createSqliteRecorder(db: Sqlite.Database, groupCommit: GroupCommitted) {
  const q = {
    paymentByTxn: db.prepare<[number, string, string], { id: number }>(`SELECT "id" FROM "payments" WHERE "merchantId" = ? AND "provider" = ? AND "providerTxnId" = ?`),
    topUpByReference: db.prepare<[string, number], TopUpRow>(`SELECT ${TOP_UP_COLUMNS} FROM "top_ups" WHERE "reference" = ? AND "merchantId" = ?`),
    topUpByMd5: db.prepare<[string, number], TopUpRow>(`SELECT ${TOP_UP_COLUMNS} FROM "top_ups" WHERE "md5" = ? AND "merchantId" = ? ORDER BY "id" LIMIT 1`),
    paymentsOn: db.prepare<[number], EarlierPayment>(`SELECT "id", "provider", "providerTxnId", "amountMinor", "currency" FROM "payments" WHERE "topUpId" = ? ORDER BY "id"`),
    rekey: db.prepare<[string, number]>(`UPDATE "payments" SET "providerTxnId" = ? WHERE "id" = ?`),
    insertPayment: db.prepare(
      `INSERT INTO "payments" ("merchantId", "provider", "providerTxnId", "topUpId", "amountMinor", "currency", "flag", "source", "payer", "raw", "reference", "observedAt")
       VALUES (@merchantId, @provider, @providerTxnId, @topUpId, @amountMinor, @currency, @flag, @source, @payer, @raw, @reference, @observedAt)`,
    ),
    insertCredit: db.prepare(
      `INSERT INTO "credits" ("merchantId", "paymentId", "topUpId", "panelLogin", "amountMinor", "currency", "rate", "memo", "kind", "status", "attempts", "nextAttemptAt", "lastError", "errorKind", "createdAt")
       VALUES (@merchantId, @paymentId, @topUpId, @panelLogin, @amountMinor, @currency, @rate, @memo, @kind, @status, 0, @nextAttemptAt, @lastError, @errorKind, @createdAt)`,
    ),
    insertNote: db.prepare(
      `INSERT INTO "notifications" ("merchantId", "dedupeKey", "chatId", "kind", "payload", "status", "attempts", "nextAttemptAt", "createdAt")
       VALUES (?, ?, ?, ?, ?, '${NotificationStatus.QUEUED}', 0, ?, ?) ON CONFLICT ("merchantId", "dedupeKey") DO NOTHING`,
    ),
  };
  const countPayment = (to: typeof TopUpStatus.PAID | typeof TopUpStatus.HELD) =>
    db.prepare<[{ now: string; id: number }]>(`UPDATE "top_ups" SET ${countPaymentSet(to, "@now")} WHERE "id" = @id`);
  const countPaymentAs = { [TopUpStatus.PAID]: countPayment(TopUpStatus.PAID), [TopUpStatus.HELD]: countPayment(TopUpStatus.HELD) };

  function enqueue(merchantId: number, notes: PlannedNote[], now: string): void {
    for (const note of notes) {
      for (const chatId of note.chatIds) q.insertNote.run(merchantId, `${note.key}@${chatId}`, chatId, note.payload.kind, JSON.stringify(note.payload), now, now);
    }
  }

  /** One observation: the same decisions as the PostgreSQL path (src/ledger/postgres-recorder.ts). */
  function recordOne(config: RecorderConfig, obs: PaymentObservation, opts: RecordOptions, at: Date): RecordOutcome {
    const { merchantId } = config;
    const existing = q.paymentByTxn.get(merchantId, obs.provider, obs.providerTxnId);
    if (existing) return { outcome: "duplicate", paymentId: existing.id };
    const row = obs.reference ? q.topUpByReference.get(obs.reference, merchantId) : obs.md5 ? q.topUpByMd5.get(obs.md5, merchantId) : undefined;
    const now = sqliteTimestamp(at);
    const payment = {
      merchantId, provider: obs.provider, providerTxnId: obs.providerTxnId, amountMinor: obs.amountMinor, currency: obs.currency, source: opts.source,
      payer: obs.payer ?? null, raw: JSON.stringify(obs.raw ?? null), reference: obs.reference ?? obs.md5 ?? null, observedAt: now,
    };
    if (!row || row.provider !== obs.provider) {
      if (!opts.signed) return { outcome: "unverified" };
      const reason = orphanReason(obs, row ?? null);
      const paymentId = Number(q.insertPayment.run({ ...payment, topUpId: null, flag: PaymentFlag.ORPHAN }).lastInsertRowid);
      enqueue(merchantId, orphanNotes(config, paymentId, reason), now);
      return { outcome: "orphan", paymentId, reason };
    }
    const topUp = { ...row, chatId: BigInt(row.chatId) } satisfies Pick<TopUp, "id" | "chatId" | "amountMinor" | "currency" | "provider" | "panelLogin" | "reference">;
    const earlier = q.paymentsOn.all(topUp.id);
    const same = samePaymentRecorded(obs, topUp.reference, earlier);
    if (same?.kind === "rekey") q.rekey.run(obs.providerTxnId, same.paymentId);
    if (same) return { outcome: "duplicate", paymentId: same.paymentId, ...(same.kind === "rekey" ? { rekeyed: true } : {}) };
    const verdict = judgePayment(obs, topUp, earlier.length, opts.signed);
    const held = verdict.holdReason !== null;
    const paymentId = Number(q.insertPayment.run({ ...payment, topUpId: topUp.id, flag: verdict.flag }).lastInsertRowid);
    const credit = creditFor(config, obs, topUp, paymentId, verdict, at);
    const creditId = Number(q.insertCredit.run({ ...credit, nextAttemptAt: now, createdAt: now }).lastInsertRowid);
    countPaymentAs[held ? TopUpStatus.HELD : TopUpStatus.PAID].run({ now, id: topUp.id });
    enqueue(merchantId, paymentNotes(config, paymentId, topUp, verdict), now);
    return held
      ? { outcome: "held", paymentId, topUpId: topUp.id, reference: topUp.reference, panelLogin: topUp.panelLogin, flag: verdict.flag, creditId, reason: verdict.holdReason! }
      : { outcome: "recorded", paymentId, topUpId: topUp.id, reference: topUp.reference, panelLogin: topUp.panelLogin, flag: verdict.flag, creditId };
  }

  const submit = groupCommit((u: { config: RecorderConfig; obs: PaymentObservation; opts: RecordOptions; now: Date }) => recordOne(u.config, u.obs, u.opts, u.now));

  return {
    record: (config: RecorderConfig, obs: PaymentObservation, opts: RecordOptions, now: Date): Promise<RecordOutcome> => submit({ config, obs, opts, now }),
  };
}

interface TopUpRow {
  id: number;
  reference: string;
  provider: string;
  currency: string;
  amountMinor: number;
  panelLogin: string;
  chatId: number;
}
