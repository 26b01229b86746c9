import Sqlite from "better-sqlite3";
import pg from "pg";
import { dialectOf, sqlitePath } from "../../src/db/url.js";

export interface SharedShape {
  /** Top-ups across every shop; each shop gets topUps / shops of them. */
  topUps: number;
  shops: number;
  /** Only this shop's rows (merchant id 1..shops), as the shared history holds them; every shop's when absent. */
  onlyShop?: number;
  days: number;
  end: Date;
}

/** Every this-many top-ups of a shop: paid in riel (held), earned a bonus, refunded. */
const RIEL_EVERY = 50;
const BONUS_EVERY = 20;
const REFUND_EVERY = 1_000;
/** Top-ups per customer. */
const TOP_UPS_PER_CUSTOMER = 20;
/** Rows per statement on SQLite: each is one INSERT … SELECT over a generated series, all in one transaction. */
const SQLITE_CHUNK = 1_000_000;
const LOADED = ["users", "top_ups", "payments", "credits", "refunds"];

/**
 * A history shared by many shops, made inside the database from a series: top-up `i` (1..topUps, every
 * `days * 86,400,000 / topUps` ms) belongs to shop 1 + (i − 1) % shops, so the shops' rows interleave in time
 * as on a platform. Only the rows a report, an export and /find read: customers, top-ups (paid, credited),
 * payments, bonus credits, refunds; no notifications. A shop's rows are the same, ids included, whether built
 * alone (`onlyShop`) or among the others. Indexes are dropped while loading and built again after (a sort per
 * index instead of one random insert per row), and so are PostgreSQL's foreign keys (one join each instead of a
 * queued check per row).
 */
export async function buildSharedHistory(url: string, shape: SharedShape): Promise<void> {
  const perShop = Math.floor(shape.topUps / shape.shops);
  const customers = Math.max(1, Math.round(perShop / TOP_UPS_PER_CUSTOMER));
  const start = shape.end.getTime() - shape.days * 86_400_000;
  const stepMs = (shape.days * 86_400_000) / Math.max(1, perShop * shape.shops);
  const postgres = dialectOf(url) === "postgres";
  const d = postgres
    ? {
        series: (from: number, to: number) => `generate_series(${from}::bigint, ${to}) AS s(j)`,
        at: (offsetMs: string) => `(to_timestamp((${start} + ${offsetMs}) / 1000.0) AT TIME ZONE 'UTC')`,
        pad: (e: string) => `lpad((${e})::text, 12, '0')`,
        text: (e: string) => `(${e})::text`,
      }
    : {
        series: (from: number, to: number) => `(WITH RECURSIVE s(j) AS (SELECT ${from} UNION ALL SELECT j + 1 FROM s WHERE j < ${to}) SELECT j FROM s) AS s`,
        at: (offsetMs: string) => `strftime('%Y-%m-%dT%H:%M:%f+00:00', (${start} + ${offsetMs}) / 1000.0, 'unixepoch')`,
        pad: (e: string) => `printf('%012d', ${e})`,
        text: (e: string) => `CAST(${e} AS TEXT)`,
      };
  // Top-up i from series value j: every top-up, or every shops-th one from the shop's first.
  const i = shape.onlyShop === undefined ? "s.j" : `((s.j - 1) * ${shape.shops} + ${shape.onlyShop})`;
  const shop = `(1 + (${i} - 1) % ${shape.shops})`;
  const k = `((${i} - 1) / ${shape.shops})`;
  const customer = `(1 + (${k} * 7919) % ${customers})`;
  const user = `((${shop} - 1) * ${customers} + ${customer})`;
  const created = `CAST(${i} * ${stepMs} AS BIGINT)`;
  const at = (plusMs: number) => d.at(`${created} + ${plusMs}`);
  const provider = `(CASE ${i} % 4 WHEN 0 THEN 'bakong' WHEN 1 THEN 'kess' WHEN 2 THEN 'payway' ELSE 'raksmeypay' END)`;
  const amount = `(100 + (${i} * 37) % 5000)`;
  const riel = `${k} % ${RIEL_EVERY} = 0`;
  const reference = `('26' || ${d.pad(i)})`;
  const login = `('login' || ${d.text(customer)})`;
  const topUpCount = shape.onlyShop === undefined ? perShop * shape.shops : perShop;
  const userCount = shape.onlyShop === undefined ? customers * shape.shops : customers;
  // Customer u from series value j: shop-major, so a shop's customers are 1..customers within it.
  const userShop = shape.onlyShop === undefined ? `(1 + (s.j - 1) / ${customers})` : String(shape.onlyShop);
  const userNumber = `(1 + (s.j - 1) % ${customers})`;
  const users = (from: number, to: number) =>
    `INSERT INTO "users" ("id", "merchantId", "telegramId", "username", "firstName", "language", "panelLogin", "createdAt", "updatedAt")
     SELECT (${userShop} - 1) * ${customers} + ${userNumber}, ${userShop}, 100000000 + ${userNumber}, 'user' || ${d.text(userNumber)}, 'Customer', 'en',
       'login' || ${d.text(userNumber)}, ${d.at("0")}, ${d.at("0")} FROM ${d.series(from, to)}`;
  const topUps = (from: number, to: number) => [
    `INSERT INTO "top_ups" ("id", "merchantId", "reference", "userId", "chatId", "provider", "currency", "amountMinor", "panelLogin", "status", "expiresAt", "paidAt", "creditedAt", "createdAt", "updatedAt", "paymentsSeen")
     SELECT ${i}, ${shop}, ${reference}, ${user}, 100000000 + ${customer}, ${provider}, 'USD', ${amount}, ${login}, CASE WHEN ${riel} THEN 'HELD' ELSE 'CREDITED' END,
       ${at(600_000)}, ${at(30_000)}, CASE WHEN ${riel} THEN NULL ELSE ${at(31_000)} END, ${at(0)}, ${at(31_000)}, 1 FROM ${d.series(from, to)}`,
    `INSERT INTO "payments" ("id", "merchantId", "provider", "providerTxnId", "topUpId", "amountMinor", "currency", "flag", "source", "raw", "reference", "observedAt")
     SELECT ${i}, ${shop}, ${provider}, 'TXN' || ${d.pad(i)}, ${i}, CASE WHEN ${riel} THEN ${amount} * 41 ELSE ${amount} END, CASE WHEN ${riel} THEN 'KHR' ELSE 'USD' END,
       CASE WHEN ${riel} THEN 'CURRENCY_MISMATCH' ELSE 'OK' END, 'webhook', '{}', ${reference}, ${at(30_000)} FROM ${d.series(from, to)}`,
    `INSERT INTO "credits" ("merchantId", "topUpId", "panelLogin", "amountMinor", "currency", "memo", "kind", "status", "attempts", "nextAttemptAt", "createdAt", "doneAt")
     SELECT ${shop}, ${i}, ${login}, ${amount} / 20, 'USD', 'KHQR ' || ${reference} || ' bonus', 'bonus', 'DONE', 1, ${at(31_000)}, ${at(31_000)}, ${at(32_000)}
     FROM ${d.series(from, to)} WHERE ${k} % ${BONUS_EVERY} = 1`,
    `INSERT INTO "refunds" ("merchantId", "topUpId", "amountMinor", "currency", "reason", "adminId", "providerStatus", "panelStatus", "createdAt")
     SELECT ${shop}, ${i}, ${amount}, 'USD', 'asked', 1, 'MANUAL', 'DEBITED', ${at(3_600_000)} FROM ${d.series(from, to)} WHERE ${k} % ${REFUND_EVERY} = 2`,
  ];
  const chunks = (count: number, make: (from: number, to: number) => string | string[]) => {
    const out: string[] = [];
    for (let from = 1; from <= count; from += SQLITE_CHUNK) out.push(...[make(from, Math.min(count, from + SQLITE_CHUNK - 1))].flat());
    return out;
  };
  const statements = [...chunks(userCount, users), ...chunks(topUpCount, topUps)];
  if (postgres) await loadPostgres(url, statements);
  else loadSqlite(url, statements);
}

async function loadPostgres(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET synchronous_commit = off");
    await client.query("SET maintenance_work_mem = '1GB'");
    // Indexes that back no constraint (the primary keys stay: their keys arrive in order, appended).
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      `SELECT c.relname AS "name", pg_get_indexdef(i.indexrelid) AS "def" FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
       WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
      [LOADED],
    );
    // Foreign keys from or to the loaded tables: checked row by row they queue a trigger event per row (tens of
    // millions), added again after the load they are checked by one join each.
    const { rows: foreignKeys } = await client.query<{ table: string; name: string; def: string }>(
      `SELECT t.relname AS "table", k.conname AS "name", pg_get_constraintdef(k.oid) AS "def" FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
       WHERE k.contype = 'f' AND t.relnamespace = 'public'::regnamespace AND (t.relname = ANY($1) OR r.relname = ANY($1))`,
      [LOADED],
    );
    // One transaction, as on SQLite: a build cut short leaves an empty history, built again by the next run.
    await client.query("BEGIN");
    for (const key of foreignKeys) await client.query(`ALTER TABLE "${key.table}" DROP CONSTRAINT "${key.name}"`);
    for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
    for (const sql of statements) await client.query(sql);
    for (const index of indexes) await client.query(index.def);
    for (const key of foreignKeys) await client.query(`ALTER TABLE "${key.table}" ADD CONSTRAINT "${key.name}" ${key.def}`);
    for (const table of LOADED) {
      await client.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT coalesce(max("id"), 0) + 1 FROM "${table}"), false)`);
    }
    await client.query("COMMIT");
    await client.query(`VACUUM ANALYZE ${LOADED.map((t) => `"${t}"`).join(", ")}`);
  } finally {
    await client.end();
  }
}

function loadSqlite(url: string, statements: string[]): void {
  const db = new Sqlite(sqlitePath(url));
  try {
    // Loading into a fresh file through the rollback journal writes each page once: SQLite journals only pages
    // that existed before the transaction (a few, here), where the WAL would take all 8 GB and copy them back.
    db.pragma("journal_mode = DELETE");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -1048576");
    db.pragma("threads = 2");
    const indexes = db
      .prepare(`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "sql" IS NOT NULL AND "tbl_name" IN (${LOADED.map((t) => `'${t}'`).join(", ")})`)
      .all() as { name: string; sql: string }[];
    db.transaction(() => {
      for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
      for (const sql of statements) db.exec(sql);
      for (const index of indexes) db.exec(index.sql);
    })();
    db.pragma("journal_mode = WAL");
  } finally {
    db.close();
  }
}
