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
 * Reads what the decisions of a batch need in one round trip, one row per observation (`n`, from 1): a
 * recorded twin, the top-up, its payments so far and their count (one snapshot, and both are written
 * by one statement, so they agree).
 */
const LOOK_UP = prepared("ledger-look-up", `
  SELECT o."n"::int AS "n", (SELECT "id" FROM "payments" WHERE "merchantId" = o."merchant" AND "provider" = o."provider" AND "providerTxnId" = o."txn") AS "existing",
         t."id", t."reference", t."provider", t."currency", t."amountMinor"::text AS "amountMinor", t."panelLogin", t."chatId"::text AS "chatId", t."paymentsSeen",
         (SELECT coalesce(json_agg(json_build_object('id', e."id", 'provider', e."provider", 'providerTxnId', e."providerTxnId", 'amountMinor', e."amountMinor"::text, 'currency', e."currency") ORDER BY e."id"), '[]')
          FROM "payments" AS e WHERE e."topUpId" = t."id") AS "earlier"
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) WITH ORDINALITY AS o("provider", "txn", "ref", "md5", "merchant", "n")
  LEFT JOIN LATERAL (
    SELECT * FROM "top_ups" WHERE "merchantId" = o."merchant" AND ((o."ref" IS NOT NULL AND "reference" = o."ref") OR (o."ref" IS NULL AND o."md5" IS NOT NULL AND "md5" = o."md5"))
    ORDER BY "id" LIMIT 1
  ) AS t ON true`);

const NOTE_COLUMNS = `"merchantId", "dedupeKey", "chatId", "kind", "payload", "status", "attempts", "nextAttemptAt", "createdAt"`;
const PAYMENT_COLUMNS = `"merchantId", "provider", "providerTxnId", "topUpId", "amountMinor", "currency", "flag", "source", "payer", "raw", "reference", "observedAt"`;

/**
 * An orphan and its notes in one statement. A twin recorded meanwhile (same provider transaction)
 * makes the insert a no-op, and with it the notes: the caller then reports a duplicate.
 */
const RECORD_ORPHAN = prepared("ledger-record-orphan", `
    WITH p AS (
      INSERT INTO "payments" (${PAYMENT_COLUMNS}) VALUES ($16, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamp)
      ON CONFLICT ("merchantId", "provider", "providerTxnId") DO NOTHING RETURNING "id")
    , n AS (
      INSERT INTO "notifications" (${NOTE_COLUMNS})
      SELECT $16::int, replace(note.key, '{id}', p."id"::text) || '@' || note.chat, note.chat::bigint, note.kind, replace(note.payload, '"{id}"', p."id"::text),
             '${NotificationStatus.QUEUED}', 0, $11::timestamp, $11::timestamp
      FROM p CROSS JOIN unnest($12::text[], $13::text[], $14::text[], $15::text[]) AS note(key, chat, kind, payload)
      ON CONFLICT ("merchantId", "dedupeKey") DO NOTHING)
    SELECT (SELECT "id" FROM p) AS "paymentId"`);

/** The columns of WRITE_TOP_UPS' input, one array parameter each, one element per payment. */
const WRITE_INPUT = [
  ["provider", "text"], ["txn", "text"], ["topUp", "int"], ["amount", "bigint"], ["cur", "text"], ["flag", "text"], ["src", "text"], ["payer", "text"],
  ["body", "text"], ["ref", "text"], ["at", "timestamp"], ["seen", "int"], ["held", "bool"],
  ["login", "text"], ["creditAmount", "bigint"], ["creditCur", "text"], ["rate", "text"], ["memo", "text"], ["kind", "text"], ["creditStatus", "text"], ["why", "text"], ["errorKind", "text"],
  ["merchant", "int"],
] as const;
/** The notes of all payments: the payment's row (`n`) and four parallel arrays (noteArrays). */
const NOTE_INPUT = [["owner", "int"], ["key", "text"], ["chat", "text"], ["kind", "text"], ["payload", "text"]] as const;
type WriteRow = { [K in (typeof WRITE_INPUT)[number][0]]: unknown };

/** Parallel array parameters from `$first` as rows, numbered from 1 in `n` when `numbered`. */
function unnest(columns: readonly (readonly [string, string])[], first: number, alias: string, numbered = false): string {
  const names = columns.map(([name]) => `"${name}"`).concat(numbered ? [`"n"`] : []);
  return `unnest(${columns.map(([, type], i) => `$${first + i}::${type}[]`).join(", ")})${numbered ? " WITH ORDINALITY" : ""} AS ${alias}(${names.join(", ")})`;
}

/** Counts the payment on its top-up and settles the top-up as `to`, for the rows of `w` held (or not), once `locked` has locked them. */
function countOn(to: typeof TopUpStatus.PAID | typeof TopUpStatus.HELD, held: boolean): string {
  return `UPDATE "top_ups" SET ${countPaymentSet(to, `w."at"`)}
      FROM w WHERE "top_ups"."id" = w."topUp" AND "top_ups"."paymentsSeen" = w."seen" AND ${held ? "" : "NOT "}w."held"
      AND "top_ups"."id" = ANY ((SELECT array_agg("id") FROM locked)::int[]) RETURNING w."n"`;
}

/**
 * A batch of payments on their top-ups, their credits, the top-ups' counts and states, and the notes in
 * one statement; each payment written only if its top-up still has the payments its decision was made
 * on (`seen` = its `paymentsSeen` in the look-up). Why that serializes two observations of one top-up
 * under READ COMMITTED: the update of the top-up row makes a second writer wait on the first's row
 * lock and, once the first commits, PostgreSQL evaluates `"paymentsSeen" = w."seen"` again on the row
 * as committed (EvalPlanQual), not on the statement's snapshot (which is why a count of payments in a
 * subquery would not do). Every payment on a top-up is inserted by this statement, counted in the same
 * update, so at most one writer per count value gets its row back from the update; the others insert
 * nothing (everything hangs off the update), return no payment id, and the caller looks up and decides
 * again. A batch holds at most one payment per top-up and per provider transaction (the caller sees to
 * it). `locked` takes the batch's top-up rows in id order before either update touches one (the
 * updates wait for it, an init plan), so two batches sharing top-ups (two instances, a webhook and the
 * poller) queue instead of deadlocking. Renaming a placeholder row (rekey) changes no decision to insert, so it is not counted.
 * The payment insert has no ON CONFLICT: a twin under the same key would leave the top-up counted
 * and settled without its payment, so a unique violation fails the whole statement instead.
 */
const WRITE_TOP_UPS = prepared("ledger-record-batch", `
    WITH w AS (SELECT * FROM ${unnest(WRITE_INPUT, 1, "w", true)}),
    locked AS (SELECT "id" FROM "top_ups" WHERE "id" IN (SELECT "topUp" FROM w) ORDER BY "id" FOR UPDATE),
    paid AS (${countOn(TopUpStatus.PAID, false)}),
    held AS (${countOn(TopUpStatus.HELD, true)}),
    p AS (
      INSERT INTO "payments" (${PAYMENT_COLUMNS})
      SELECT w."merchant", w."provider", w."txn", w."topUp", w."amount", w."cur", w."flag", w."src", w."payer", w."body", w."ref", w."at"
      FROM w WHERE w."n" IN (SELECT "n" FROM paid UNION ALL SELECT "n" FROM held) ORDER BY w."n" RETURNING "id", "merchantId", "provider", "providerTxnId"),
    pw AS (SELECT p."id", w.* FROM p JOIN w ON w."merchant" = p."merchantId" AND w."provider" = p."provider" AND w."txn" = p."providerTxnId"),
    c AS (
      INSERT INTO "credits" ("merchantId", "paymentId", "topUpId", "panelLogin", "amountMinor", "currency", "rate", "memo", "kind", "status", "attempts", "nextAttemptAt", "lastError", "errorKind", "createdAt")
      SELECT pw."merchant", pw."id", pw."topUp", pw."login", pw."creditAmount", pw."creditCur", pw."rate", pw."memo" || pw."id", pw."kind", pw."creditStatus", 0, pw."at", pw."why", pw."errorKind", pw."at"
      FROM pw RETURNING "id", "paymentId"),
    notes AS (
      INSERT INTO "notifications" (${NOTE_COLUMNS})
      SELECT pw."merchant", replace(note."key", '{id}', pw."id"::text) || '@' || note."chat", note."chat"::bigint, note."kind", replace(note."payload", '"{id}"', pw."id"::text),
             '${NotificationStatus.QUEUED}', 0, pw."at", pw."at"
      FROM ${unnest(NOTE_INPUT, WRITE_INPUT.length + 1, "note")} JOIN pw ON pw."n" = note."owner"
      ON CONFLICT ("merchantId", "dedupeKey") DO NOTHING)
    SELECT pw."n"::int AS "n", pw."id" AS "paymentId", c."id" AS "creditId" FROM pw JOIN c ON c."paymentId" = pw."id"`);

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

interface Call {
  config: RecorderConfig;
  obs: PaymentObservation;
  opts: RecordOptions;
  at: Date;
  resolve(outcome: RecordOutcome): void;
  reject(err: unknown): void;
}

/** A payment decided on its top-up, waiting for the batch's write. */
interface Decided {
  call: Call;
  row: WriteRow;
  notes: PlannedNote[];
  outcome: (paymentId: number, creditId: number) => RecordOutcome;
}

export interface PostgresRecorder {
  record(config: RecorderConfig, obs: PaymentObservation, opts: RecordOptions, at: Date): Promise<RecordOutcome>;
}

export interface BatchLimits {
  /** Observations in one batch. */
  maxBatch: number;
  /** Batches in flight at once; the rest of the pool stays free for the crediter, the notifier and Prisma. */
  inFlight: number;
}

const DEFAULT_LIMITS: BatchLimits = { maxBatch: 200, inFlight: 3 };

/**
 * PostgreSQL's hot path over the pg pool, group-committed: observations arriving while earlier batches
 * are in flight wait and go together, in two round trips a batch (one look-up, then one statement
 * that writes every payment decided on a top-up), no interactive transaction held open across awaits.
 * Observations of one top-up are serialized by its payment count (WRITE_TOP_UPS): a writer that lost
 * the race looks up again in a later batch. A `maxBatch` of 1 records one payment per round-trip pair
 * (the benchmark's baseline).
 */
export function createPostgresRecorder(pool: pg.Pool, limits: Partial<BatchLimits> = {}): PostgresRecorder {
  const { maxBatch, inFlight: maxInFlight } = { ...DEFAULT_LIMITS, ...limits };
  let queue: Call[] = [];
  let inFlight = 0;
  let scheduled = false;

  function enqueue(call: Call): void {
    queue.push(call);
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  }

  function pump(): void {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch: Call[] = [];
      const later: Call[] = [];
      const keys = new Set<string>();
      for (const call of queue) {
        const key = `${call.obs.provider}\n${call.obs.providerTxnId}`;
        if (batch.length >= maxBatch || keys.has(key)) later.push(call);
        else {
          keys.add(key);
          batch.push(call);
        }
      }
      queue = later;
      inFlight++;
      void runBatch(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  async function runBatch(batch: Call[]): Promise<void> {
    let found: Lookup[];
    try {
      const { rows } = await pool.query<Lookup & { n: number }>(LOOK_UP([
        batch.map((c) => c.obs.provider), batch.map((c) => c.obs.providerTxnId),
        batch.map((c) => c.obs.reference ?? null), batch.map((c) => (c.obs.reference ? null : (c.obs.md5 ?? null))), batch.map((c) => c.config.merchantId),
      ]));
      const byRow = new Map(rows.map((r) => [r.n, r]));
      found = batch.map((_, i) => byRow.get(i + 1)!);
    } catch (err) {
      for (const call of batch) call.reject(err);
      return;
    }
    const decided: Decided[] = [];
    const topUps = new Set<number>();
    for (const [i, call] of batch.entries()) {
      const row = found[i]!;
      if (row.id !== null && row.provider === call.obs.provider && topUps.has(row.id)) {
        enqueue(call); // a second observation of a top-up in this batch decides on what the first wrote
        continue;
      }
      let step: Decided | null;
      try {
        step = decide(call, row);
      } catch (err) {
        call.reject(err);
        continue;
      }
      if (step === null) continue;
      topUps.add(row.id!);
      decided.push(step);
    }
    if (decided.length > 0) await write(decided);
  }

  /** Settles what needs no top-up write; returns the payment decided on its top-up otherwise. */
  function decide(call: Call, found: Lookup): Decided | null {
    const { config, obs, opts, at } = call;
    const settle = (work: Promise<RecordOutcome | null>) =>
      void work.then((outcome) => (outcome === null ? enqueue(call) : call.resolve(outcome)), call.reject);
    if (found.existing !== null) {
      call.resolve({ outcome: "duplicate", paymentId: found.existing });
      return null;
    }
    if (found.id === null || found.provider !== obs.provider) {
      if (!opts.signed) call.resolve({ outcome: "unverified" });
      else settle(recordOrphan(pool, config, obs, opts, found, at));
      return null;
    }
    const topUp = { id: found.id, reference: found.reference!, provider: found.provider, currency: found.currency!, amountMinor: Number(found.amountMinor), panelLogin: found.panelLogin!, chatId: BigInt(found.chatId!) };
    const earlier = found.earlier.map((e) => ({ ...e, amountMinor: Number(e.amountMinor) }));
    const same = samePaymentRecorded(obs, topUp.reference, earlier);
    if (same?.kind === "seen") {
      call.resolve({ outcome: "duplicate", paymentId: same.paymentId });
      return null;
    }
    if (same?.kind === "rekey") {
      settle(rekey(pool, obs, same.paymentId, same.placeholderKey).then((renamed) => (renamed ? { outcome: "duplicate", paymentId: same.paymentId, rekeyed: true } : null)));
      return null;
    }
    const verdict = judgePayment(obs, topUp, earlier.length, opts.signed);
    const held = verdict.holdReason !== null;
    const credit = creditFor(config, obs, topUp, 0, verdict, at);
    return {
      call,
      notes: paymentNotes(config, 0, topUp, verdict),
      row: {
        provider: obs.provider, txn: obs.providerTxnId, topUp: topUp.id, amount: obs.amountMinor, cur: obs.currency, flag: verdict.flag, src: opts.source,
        payer: obs.payer ?? null, body: JSON.stringify(obs.raw ?? null), ref: obs.reference ?? obs.md5 ?? null, at: postgresTimestamp(at), seen: found.paymentsSeen, held,
        login: credit.panelLogin, creditAmount: credit.amountMinor, creditCur: credit.currency, rate: credit.rate, memo: creditMemoPrefix(topUp.reference), kind: credit.kind,
        creditStatus: credit.status, why: credit.lastError, errorKind: credit.errorKind, merchant: config.merchantId,
      },
      outcome: (paymentId, creditId) => {
        const common = { paymentId, topUpId: topUp.id, reference: topUp.reference, panelLogin: topUp.panelLogin, flag: verdict.flag, creditId };
        return held ? { outcome: "held", ...common, reason: verdict.holdReason! } : { outcome: "recorded", ...common };
      },
    };
  }

  async function write(decided: Decided[]): Promise<void> {
    const notes: unknown[][] = NOTE_INPUT.map(() => []);
    for (const [i, d] of decided.entries()) {
      const arrays = noteArrays(d.notes);
      for (let k = 0; k < arrays[0].length; k++) {
        notes[0]!.push(i + 1);
        for (let a = 0; a < 4; a++) notes[a + 1]!.push(arrays[a]![k]);
      }
    }
    let rows: { n: number; paymentId: number; creditId: number }[];
    try {
      ({ rows } = await pool.query(WRITE_TOP_UPS([...WRITE_INPUT.map(([name]) => decided.map((d) => d.row[name])), ...notes])));
    } catch (err) {
      // Nothing of the batch was written: a key taken since the look-up (an orphan under it), or a
      // deadlock with another statement locking top-ups (the crediter's finish). Each looks up and decides again.
      if (isTwinInserted(err) || isDeadlock(err)) for (const d of decided) enqueue(d.call);
      else for (const d of decided) d.call.reject(err);
      return;
    }
    const written = new Map(rows.map((r) => [r.n, r]));
    for (const [i, d] of decided.entries()) {
      const row = written.get(i + 1);
      // Another payment was recorded on the top-up since the look-up: nothing was written for this
      // one, so it decides again on what is there now. Each retry follows a payment someone else recorded.
      if (row) d.call.resolve(d.outcome(row.paymentId, row.creditId));
      else enqueue(d.call);
    }
  }

  return {
    record: (config, obs, opts, at) => new Promise((resolve, reject) => enqueue({ config, obs, opts, at, resolve, reject })),
  };
}

/** An orphan and its notes; null when a twin was recorded meanwhile (looking again finds it). */
async function recordOrphan(pool: pg.Pool, config: RecorderConfig, obs: PaymentObservation, opts: RecordOptions, found: Lookup, at: Date): Promise<RecordOutcome | null> {
  const reason = orphanReason(obs, found.provider === null ? null : { provider: found.provider });
  const written = await pool.query<{ paymentId: number | null }>(RECORD_ORPHAN([
    obs.provider, obs.providerTxnId, null, obs.amountMinor, obs.currency, PaymentFlag.ORPHAN, opts.source, obs.payer ?? null, JSON.stringify(obs.raw ?? null),
    obs.reference ?? obs.md5 ?? null, postgresTimestamp(at), ...noteArrays(orphanNotes(config, 0, reason)), config.merchantId,
  ]));
  const paymentId = written.rows[0]!.paymentId;
  return paymentId === null ? null : { outcome: "orphan", paymentId, reason };
}

const UNIQUE_VIOLATION = "23505";

const DEADLOCK = "40P01";

function isDeadlock(err: unknown): boolean {
  return (err as { code?: string }).code === DEADLOCK;
}

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
