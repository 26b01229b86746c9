import type pg from "pg";
import { creditFor, creditMemoPrefix, judgePayment, orphanNotes, orphanReason, paymentNotes, samePaymentRecorded, type EarlierPayment, type PlannedNote, type RecorderConfig } from "./decide.js";
import type { PaymentObservation, RecordOptions, RecordOutcome } from "./observation.js";
import { PaymentFlag, TopUpStatus } from "./states.js";
import { countPaymentSet } from "./count-payment.js";
import { prepared } from "./pg-statement.js";
import { postgresTimestamp } from "./sql-time.js";
import { NotificationStatus } from "./transitions.js";

interface Lookup {
  existing: number | null;
  id: number | null;
  reference: string | null;
  provider: string | null;
  currency: string | null;
  amountMinor: string | null;
  panelLogin: string | null;
  chatId: string | null;
  paymentsSeen: number | null;
  earlier: (Omit<EarlierPayment, "amountMinor"> & { amountMinor: string })[];
}

/**
 * Reads what the decision needs in one round trip: a recorded twin, the top-up, its payments so far
 * and their count (one snapshot, and both are written by one statement, so they agree).
 */
const LOOKUP = `
  SELECT (SELECT "id" FROM "payments" WHERE "merchantId" = $5 AND "provider" = $1 AND "providerTxnId" = $2) AS "existing",
         t."id", t."reference", t."provider", t."currency", t."amountMinor"::text AS "amountMinor", t."panelLogin", t."chatId"::text AS "chatId", t."paymentsSeen",
         (SELECT coalesce(json_agg(json_build_object('id', e."id", 'provider', e."provider", 'providerTxnId', e."providerTxnId", 'amountMinor', e."amountMinor"::text, 'currency', e."currency") ORDER BY e."id"), '[]')
          FROM "payments" AS e WHERE e."topUpId" = t."id") AS "earlier"
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
    SELECT * FROM "top_ups" WHERE "merchantId" = $5 AND (($3::text IS NOT NULL AND "reference" = $3) OR ($3::text IS NULL AND $4::text IS NOT NULL AND "md5" = $4))
    ORDER BY "id" LIMIT 1
  ) AS t ON true`;

const NOTE_COLUMNS = `"merchantId", "dedupeKey", "chatId", "kind", "payload", "status", "attempts", "nextAttemptAt", "createdAt"`;

/** The notes of the payment in `p`, from four parallel array parameters starting at `$first`; `$merchant`: their merchant. */
function notesOf(first: number, merchant: number): string {
  return `n AS (
      INSERT INTO "notifications" (${NOTE_COLUMNS})
      SELECT $${merchant}::int, replace(note.key, '{id}', p."id"::text) || '@' || note.chat, note.chat::bigint, note.kind, replace(note.payload, '"{id}"', p."id"::text),
             '${NotificationStatus.QUEUED}', 0, $11::timestamp, $11::timestamp
      FROM p CROSS JOIN unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[]) AS note(key, chat, kind, payload)
      ON CONFLICT ("merchantId", "dedupeKey") DO NOTHING)`;
}

const PAYMENT_COLUMNS = `"merchantId", "provider", "providerTxnId", "topUpId", "amountMinor", "currency", "flag", "source", "payer", "raw", "reference", "observedAt"`;

/**
 * An orphan and its notes in one statement. A twin recorded meanwhile (same provider transaction)
 * makes the insert a no-op, and with it the notes: the caller then reports a duplicate.
 */
const ORPHAN_STATEMENT = `
    WITH p AS (
      INSERT INTO "payments" (${PAYMENT_COLUMNS}) VALUES ($16, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamp)
      ON CONFLICT ("merchantId", "provider", "providerTxnId") DO NOTHING RETURNING "id")
    , ${notesOf(12, 16)}
    SELECT (SELECT "id" FROM p) AS "paymentId"`;

/**
 * The payment on a top-up, its credit, the top-up's count and state, and the notes in one statement,
 * written only if the top-up still has the payments the decision was made on ($12 = its
 * `paymentsSeen` in the look-up). Why that serializes two observations of one top-up under READ
 * COMMITTED: `v` updates the top-up row, so a second writer waits on the first's row lock and, once
 * the first commits, PostgreSQL evaluates `"paymentsSeen" = $12` again on the row as committed
 * (EvalPlanQual), not on the statement's snapshot (which is why a count of payments in a subquery
 * would not do). Every payment on a top-up is inserted by this statement, counted in the same
 * update, so at most one writer per count value gets a row from `v`; the others insert nothing
 * (everything hangs off `v`), return no payment id, and the caller looks up and decides again.
 * Renaming a placeholder row (rekey) changes no decision to insert, so it is not counted.
 * The payment insert has no ON CONFLICT: a twin under the same key would leave the top-up counted
 * and settled without its payment, so a unique violation fails the whole statement instead.
 */
function topUpStatement(settleAs: typeof TopUpStatus.PAID | typeof TopUpStatus.HELD): string {
  return `
    WITH v AS (
      UPDATE "top_ups" SET ${countPaymentSet(settleAs, "$11::timestamp")}
      WHERE "id" = $3 AND "paymentsSeen" = $12 RETURNING "id")
    , p AS (
      INSERT INTO "payments" (${PAYMENT_COLUMNS})
      SELECT $26, $1, $2, v."id", $4, $5, $6, $7, $8, $9, $10, $11::timestamp FROM v RETURNING "id")
    , c AS (
      INSERT INTO "credits" ("merchantId", "paymentId", "topUpId", "panelLogin", "amountMinor", "currency", "rate", "memo", "kind", "status", "attempts", "nextAttemptAt", "lastError", "errorKind", "createdAt")
      SELECT $26, p."id", $3, $13, $14, $15, $16, $17::text || p."id", $18, $19, 0, $11::timestamp, $20, $21, $11::timestamp FROM p RETURNING "id")
    , ${notesOf(22, 26)}
    SELECT (SELECT "id" FROM p) AS "paymentId", (SELECT "id" FROM c) AS "creditId"`;
}

const TOP_UP_STATEMENTS = {
  [TopUpStatus.PAID]: prepared("ledger-record-paid", topUpStatement(TopUpStatus.PAID)),
  [TopUpStatus.HELD]: prepared("ledger-record-held", topUpStatement(TopUpStatus.HELD)),
};
const RECORD_ORPHAN = prepared("ledger-record-orphan", ORPHAN_STATEMENT);
const LOOK_UP = prepared("ledger-look-up", LOOKUP);

/** The notes as four parallel arrays, the payment id left as a placeholder the statement fills in. */
function noteArrays(notes: PlannedNote[]): [string[], string[], string[], string[]] {
  const keys: string[] = [], chats: string[] = [], kinds: string[] = [], payloads: string[] = [];
  for (const note of notes) {
    for (const chat of note.chatIds) {
      keys.push(note.key.replace(/\d+$/, "{id}"));
      chats.push(String(chat));
      kinds.push(note.payload.kind);
      payloads.push(JSON.stringify({ ...note.payload, paymentId: "{id}" }));
    }
  }
  return [keys, chats, kinds, payloads];
}

/**
 * PostgreSQL's hot path: two round trips over the pg pool (look up, then one CTE that writes
 * everything), no interactive transaction held open across awaits. Observations of one top-up are
 * serialized by its payment count (topUpStatement): a writer that lost the race looks up again.
 */
export async function recordOnPostgres(pool: pg.Pool, config: RecorderConfig, obs: PaymentObservation, opts: RecordOptions, at: Date): Promise<RecordOutcome> {
  const { merchantId } = config;
  const { rows } = await pool.query<Lookup>(LOOK_UP([obs.provider, obs.providerTxnId, obs.reference ?? null, obs.reference ? null : (obs.md5 ?? null), merchantId]));
  const found = rows[0]!;
  if (found.existing !== null) return { outcome: "duplicate", paymentId: found.existing };
  const now = postgresTimestamp(at);
  const base = [obs.provider, obs.providerTxnId];
  const tail = [obs.amountMinor, obs.currency];
  const common = [opts.source, obs.payer ?? null, JSON.stringify(obs.raw ?? null), obs.reference ?? obs.md5 ?? null, now];

  if (found.id === null || found.provider !== obs.provider) {
    if (!opts.signed) return { outcome: "unverified" };
    const reason = orphanReason(obs, found.provider === null ? null : { provider: found.provider });
    const written = await pool.query<{ paymentId: number | null }>(RECORD_ORPHAN([...base, null, ...tail, PaymentFlag.ORPHAN, ...common, ...noteArrays(orphanNotes(config, 0, reason)), merchantId]));
    const paymentId = written.rows[0]!.paymentId;
    if (paymentId !== null) return { outcome: "orphan", paymentId, reason };
    const twin = await pool.query<{ id: number }>(`SELECT "id" FROM "payments" WHERE "merchantId" = $3 AND "provider" = $1 AND "providerTxnId" = $2`, [...base, merchantId]);
    return { outcome: "duplicate", paymentId: twin.rows[0]!.id };
  }

  const topUp = { id: found.id, reference: found.reference!, provider: found.provider, currency: found.currency!, amountMinor: Number(found.amountMinor), panelLogin: found.panelLogin!, chatId: BigInt(found.chatId!) };
  const earlier = found.earlier.map((e) => ({ ...e, amountMinor: Number(e.amountMinor) }));
  const same = samePaymentRecorded(obs, topUp.reference, earlier);
  if (same?.kind === "seen") return { outcome: "duplicate", paymentId: same.paymentId };
  if (same?.kind === "rekey") {
    const renamed = await rekey(pool, obs, same.paymentId, same.placeholderKey);
    return renamed ? { outcome: "duplicate", paymentId: same.paymentId, rekeyed: true } : recordOnPostgres(pool, config, obs, opts, at);
  }
  const verdict = judgePayment(obs, topUp, earlier.length, opts.signed);
  const held = verdict.holdReason !== null;
  const credit = creditFor(config, obs, topUp, 0, verdict, at);
  const written = await pool
    .query<{ paymentId: number | null; creditId: number | null }>(TOP_UP_STATEMENTS[held ? TopUpStatus.HELD : TopUpStatus.PAID]([
      ...base, topUp.id, ...tail, verdict.flag, ...common,
      found.paymentsSeen, credit.panelLogin, credit.amountMinor, credit.currency, credit.rate, creditMemoPrefix(topUp.reference), credit.kind, credit.status, credit.lastError, credit.errorKind,
      ...noteArrays(paymentNotes(config, 0, topUp, verdict)), merchantId,
    ]))
    .catch((err: unknown) => {
      if (isTwinInserted(err)) return null;
      throw err;
    });
  const { paymentId, creditId } = written?.rows[0] ?? { paymentId: null, creditId: null };
  // Another payment was recorded on the top-up (or under this key) since the look-up: nothing was
  // written, so decide again on what is there now. Each retry follows a payment someone else recorded.
  if (paymentId === null || creditId === null) return recordOnPostgres(pool, config, obs, opts, at);
  return held
    ? { outcome: "held", paymentId, topUpId: topUp.id, reference: topUp.reference, panelLogin: topUp.panelLogin, flag: verdict.flag, creditId, reason: verdict.holdReason! }
    : { outcome: "recorded", paymentId, topUpId: topUp.id, reference: topUp.reference, panelLogin: topUp.panelLogin, flag: verdict.flag, creditId };
}

const UNIQUE_VIOLATION = "23505";

/** The payment's key was taken since the look-up (not through this top-up's count): looking again finds it. */
function isTwinInserted(err: unknown): boolean {
  const { code, constraint } = err as { code?: string; constraint?: string };
  return code === UNIQUE_VIOLATION && constraint === "payments_merchantId_provider_providerTxnId_key";
}

/**
 * Renames a placeholder row to the transaction the provider named. False when the ground moved since
 * the look-up (another delivery renamed the row, or recorded this transaction): the caller looks again,
 * and each placeholder row can be renamed once, so looking again ends.
 */
async function rekey(pool: pg.Pool, obs: PaymentObservation, paymentId: number, placeholderKey: string): Promise<boolean> {
  try {
    const renamed = await pool.query(`UPDATE "payments" SET "providerTxnId" = $1 WHERE "id" = $2 AND "providerTxnId" = $3`, [obs.providerTxnId, paymentId, placeholderKey]);
    return renamed.rowCount === 1;
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) return false;
    throw err;
  }
}
