import Sqlite from "better-sqlite3";
import pg from "pg";
import { dialectOf, sqlitePath } from "../../src/db/url.js";

export interface HistoryShape {
  topUps: number;
  customers: number;
  /** The history's last top-up is this far before `end`. */
  days: number;
  end: Date;
}

/** Every this-many top-ups: paid in riel (held), earned a bonus, refunded. */
const RIEL_EVERY = 50;
const BONUS_EVERY = 20;
const REFUND_EVERY = 1_000;
const ADMIN_CHAT = -1001234567890;
/** A provider's webhook body as stored: about what the real ones weigh. */
const RAW = `{"tran_id":"TXN","status":"0","amount":"12.34","currency":"USD","payer":{"name":"SOK DARA","account":"dara@aclb"},"bank":"ACLEDA","hash":"4f1c0b2a9e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b","received_at":"2026-03-10T09:15:00+07:00"}`;

/**
 * The same history on either database, made inside the database from a series (no rows cross the wire):
 * `topUps` top-ups spread evenly over `days`, each paid 30 s after it was made, credited a second later, its
 * receipt and admin note sent; some paid in riel, some with a bonus, some refunded.
 */
export async function buildHistory(url: string, shape: HistoryShape): Promise<void> {
  const start = shape.end.getTime() - shape.days * 86_400_000;
  const stepMs = (shape.days * 86_400_000) / Math.max(1, shape.topUps);
  const postgres = dialectOf(url) === "postgres";
  const d = postgres
    ? {
        series: (n: number) => `generate_series(1::bigint, ${n}) AS s(i)`,
        at: (offsetMs: string) => `(to_timestamp((${start} + ${offsetMs}) / 1000.0) AT TIME ZONE 'UTC')`,
        pad: (e: string) => `lpad((${e})::text, 12, '0')`,
        div: (a: string, b: string) => `((${a}) / (${b}))`,
        text: (e: string) => `(${e})::text`,
      }
    : {
        series: (n: number) => `(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n}) SELECT i FROM s) AS s`,
        at: (offsetMs: string) => `strftime('%Y-%m-%dT%H:%M:%f+00:00', (${start} + ${offsetMs}) / 1000.0, 'unixepoch')`,
        pad: (e: string) => `printf('%012d', ${e})`,
        div: (a: string, b: string) => `((${a}) / (${b}))`,
        text: (e: string) => `CAST(${e} AS TEXT)`,
      };
  const created = `CAST(s.i * ${stepMs} AS BIGINT)`;
  const at = (plusMs: number) => d.at(`${created} + ${plusMs}`);
  const user = `(1 + (s.i * 7919) % ${shape.customers})`;
  const provider = `(CASE s.i % 4 WHEN 0 THEN 'bakong' WHEN 1 THEN 'kess' WHEN 2 THEN 'payway' ELSE 'raksmeypay' END)`;
  const amount = `(100 + (s.i * 37) % 5000)`;
  const riel = `s.i % ${RIEL_EVERY} = 0`;
  const reference = `('26' || ${d.pad("s.i")})`;
  const login = `('login' || ${d.text(user)})`;
  const statements = [
    `INSERT INTO "users" ("id", "telegramId", "username", "firstName", "language", "panelLogin", "createdAt", "updatedAt")
     SELECT s.i, 100000000 + s.i, 'user' || ${d.text("s.i")}, 'Customer', 'en', 'login' || ${d.text("s.i")}, ${d.at("0")}, ${d.at("0")} FROM ${d.series(shape.customers)}`,
    `INSERT INTO "top_ups" ("id", "reference", "userId", "chatId", "provider", "currency", "amountMinor", "panelLogin", "status", "expiresAt", "paidAt", "creditedAt", "createdAt", "updatedAt", "paymentsSeen")
     SELECT s.i, ${reference}, ${user}, 100000000 + ${user}, ${provider}, 'USD', ${amount}, ${login}, CASE WHEN ${riel} THEN 'HELD' ELSE 'CREDITED' END,
       ${at(600_000)}, ${at(30_000)}, CASE WHEN ${riel} THEN NULL ELSE ${at(31_000)} END, ${at(0)}, ${at(31_000)}, 1 FROM ${d.series(shape.topUps)}`,
    `INSERT INTO "payments" ("id", "provider", "providerTxnId", "topUpId", "amountMinor", "currency", "flag", "source", "payer", "raw", "reference", "observedAt")
     SELECT s.i, ${provider}, 'TXN' || ${d.pad("s.i")}, s.i, CASE WHEN ${riel} THEN ${amount} * 41 ELSE ${amount} END, CASE WHEN ${riel} THEN 'KHR' ELSE 'USD' END,
       CASE WHEN ${riel} THEN 'CURRENCY_MISMATCH' ELSE 'OK' END, 'webhook', 'SOK DARA', replace('${RAW}', 'TXN', 'TXN' || ${d.pad("s.i")}), ${reference}, ${at(30_000)}
     FROM ${d.series(shape.topUps)}`,
    `INSERT INTO "credits" ("paymentId", "topUpId", "panelLogin", "amountMinor", "currency", "memo", "kind", "status", "attempts", "nextAttemptAt", "panelPaymentId", "balanceMinor", "createdAt", "doneAt")
     SELECT s.i, s.i, ${login}, ${amount}, 'USD', 'KHQR ' || ${reference}, 'payment', CASE WHEN ${riel} THEN 'HELD' ELSE 'DONE' END, 1, ${at(30_000)}, 'PP' || ${d.text("s.i")}, 100000,
       ${at(30_000)}, CASE WHEN ${riel} THEN NULL ELSE ${at(31_000)} END FROM ${d.series(shape.topUps)}`,
    `INSERT INTO "credits" ("topUpId", "panelLogin", "amountMinor", "currency", "memo", "kind", "status", "attempts", "nextAttemptAt", "createdAt", "doneAt")
     SELECT s.i, ${login}, ${d.div(amount, "20")}, 'USD', 'KHQR ' || ${reference} || ' bonus', 'bonus', 'DONE', 1, ${at(31_000)}, ${at(31_000)}, ${at(32_000)}
     FROM ${d.series(shape.topUps)} WHERE s.i % ${BONUS_EVERY} = 0 AND NOT (${riel})`,
    `INSERT INTO "refunds" ("topUpId", "amountMinor", "currency", "reason", "adminId", "providerStatus", "panelStatus", "createdAt")
     SELECT s.i, ${amount}, 'USD', 'asked', 1, 'MANUAL', 'DEBITED', ${at(3_600_000)} FROM ${d.series(shape.topUps)} WHERE s.i % ${REFUND_EVERY} = 1`,
    `INSERT INTO "notifications" ("dedupeKey", "chatId", "kind", "payload", "status", "attempts", "nextAttemptAt", "createdAt", "sentAt")
     SELECT 'credited:' || ${d.text("s.i")} || '@' || ${d.text(`100000000 + ${user}`)}, 100000000 + ${user}, 'topup.credited',
       '{"kind":"topup.credited","topUpId":' || ${d.text("s.i")} || ',"late":false}', 'SENT', 0, ${at(31_000)}, ${at(31_000)}, ${at(32_000)} FROM ${d.series(shape.topUps)}`,
    `INSERT INTO "notifications" ("dedupeKey", "chatId", "kind", "payload", "status", "attempts", "nextAttemptAt", "createdAt", "sentAt")
     SELECT 'payment:' || ${d.text("s.i")} || '@${ADMIN_CHAT}', ${ADMIN_CHAT}, 'admin.payment', '{"kind":"admin.payment","paymentId":' || ${d.text("s.i")} || '}', 'SENT', 0,
       ${at(30_000)}, ${at(30_000)}, ${at(40_000)} FROM ${d.series(shape.topUps)}`,
  ];
  if (postgres) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const sql of statements) await client.query(sql);
      for (const table of ["users", "top_ups", "payments", "credits", "refunds", "notifications"]) {
        await client.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT coalesce(max("id"), 0) + 1 FROM "${table}"), false)`);
      }
      await client.query("VACUUM ANALYZE");
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Sqlite(sqlitePath(url));
  try {
    db.pragma("journal_mode = WAL");
    db.transaction(() => {
      for (const sql of statements) db.exec(sql);
    })();
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}
