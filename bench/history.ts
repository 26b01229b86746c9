/**
 * Admin operations on a long history versus an empty database, on SQLite and PostgreSQL: /report 30d and 7d,
 * the 30-day CSV export, /find by every kind of key, and the bytes a payment costs. The history is built inside
 * the database (bench/support/history-data.ts): HISTORY_TOPUPS top-ups (default 1,000,000) over 90 days for
 * one customer per 20 top-ups, each paid, credited and receipted, kept between runs. Each operation runs in a fresh
 * process that first loads Prisma on a one-day report, export and lookup (the RSS baseline), then runs the operation
 * once untimed (page cache) and 3 times timed.
 */
import Sqlite from "better-sqlite3";
import { fork } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { sqlitePath } from "../src/db/url.js";
import { createPostgresDatabase, POSTGRES_ADMIN_URL } from "../test/support/databases.js";
import { silentLog, tempSqlite } from "./support/fixtures.js";
import { buildHistory } from "./support/history-data.js";
import { createReportRollup } from "../src/jobs/report-rollup.js";
import type { HistoryOp, OpResult } from "./support/history-ops.js";
import { mib, ms, num, perSec, ratio, TSX_EXEC_ARGV, type BenchResult, type Figure, type Target } from "./support/result.js";

const TOP_UPS = Number(process.env.HISTORY_TOPUPS ?? 1_000_000);
const DAYS = 90;
/** Bump when bench/support/history-data.ts changes what it builds: a kept history of another version is built again. */
const HISTORY_VERSION = 1;
const OPS_CHILD = fileURLToPath(new URL("./support/history-ops.ts", import.meta.url));
const MONEY_TABLES = ["users", "top_ups", "payments", "credits", "refunds", "audit_log"];

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
/** "585 ms (512–601)": the median of the runs and their range. */
const spread = (xs: readonly number[], digits = 0) => `${ms(median(xs), digits)} (${num(sorted(xs)[0]!, digits)}–${num(sorted(xs).at(-1)!, digits)})`;
const pad12 = (n: number) => String(n).padStart(12, "0");

export function runOp(url: string, op: HistoryOp, end: Date, merchantId?: number): Promise<OpResult> {
  const child = fork(OPS_CHILD, [url, op, end.toISOString(), ...(merchantId === undefined ? [] : [String(merchantId)])], { execArgv: TSX_EXEC_ARGV, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    let answer: OpResult | undefined;
    child.on("message", (m: OpResult) => (answer = m));
    child.on("exit", (code) => (answer ? resolve(answer) : reject(new Error(`${op} exited with ${code}`))));
  });
}

/** Bytes per table, indexes included. */
async function tableBytes(url: string): Promise<Map<string, number>> {
  if (url.startsWith("file:")) {
    const db = new Sqlite(sqlitePath(url), { readonly: true });
    try {
      const rows = db.prepare(`SELECT coalesce(i.tbl_name, s.name) AS "table", sum(s.pgsize) AS bytes FROM dbstat s LEFT JOIN sqlite_master i ON i.name = s.name GROUP BY 1`).all() as { table: string; bytes: number }[];
      return new Map(rows.map((r) => [r.table, r.bytes]));
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table: string; bytes: string }>(`SELECT relname AS "table", pg_total_relation_size(oid) AS bytes FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`);
    return new Map(rows.map((r) => [r.table, Number(r.bytes)]));
  } finally {
    await client.end();
  }
}

interface Built {
  url: string;
  /** When the history's last top-up was made: the end of every period measured. */
  end: Date;
  /** Seconds to build it, or null when a history built earlier was used. */
  buildSeconds: number | null;
  rollupSeconds: number;
  drop(): Promise<void>;
}

/** The last top-up's time (a history ends where it was built to end); null when there is none yet. */
async function historyEnd(url: string, topUps: number): Promise<Date | null> {
  const database = await openDatabase(url);
  try {
    const last = await database.db.topUp.findFirst({ orderBy: { createdAt: "desc" }, select: { createdAt: true } });
    if (last && (await database.db.topUp.count()) !== topUps) throw new Error(`the history kept at ${url} is incomplete: run with HISTORY_REBUILD=1`);
    return last?.createdAt ?? null;
  } finally {
    await database.close();
  }
}

/** Runs the report rollup (src/jobs/report-rollup.ts) until it has folded every closed hour, as the running application does. */
export async function rollUp(url: string, end: Date): Promise<number> {
  const database = await openDatabase(url);
  const started = performance.now();
  try {
    const rollup = createReportRollup({ database, log: silentLog, now: () => end }, { sweepMs: 60_000 });
    while (await rollup.pass());
  } finally {
    await database.close();
  }
  return (performance.now() - started) / 1000;
}

/**
 * The history to measure: empty, or TOP_UPS top-ups kept between runs (a SQLite file in the temp folder, a
 * PostgreSQL database) since building one takes minutes; HISTORY_REBUILD=1 builds it again.
 */
async function history(dialect: "sqlite" | "postgres", topUps: number): Promise<Built> {
  const name = `khqr_bench_history_${topUps}_v${HISTORY_VERSION}`;
  const kept = topUps > 0 && process.env.HISTORY_REBUILD !== "1";
  let url: string;
  let drop: () => Promise<void>;
  if (dialect === "sqlite") {
    const file = topUps > 0 ? { url: `file:${join(tmpdir(), `${name}.db`)}`, remove: () => undefined } : tempSqlite("history");
    url = file.url;
    drop = async () => file.remove();
    if (!kept && topUps > 0) rmSync(sqlitePath(url), { force: true });
  } else if (topUps > 0) {
    url = await keptPostgresDatabase(name, !kept);
    drop = async () => undefined;
  } else {
    const created = await createPostgresDatabase();
    url = created.url;
    drop = created.dropDatabase;
  }
  await migrate(url);
  let end = topUps > 0 ? await historyEnd(url, topUps) : null;
  let buildSeconds: number | null = null;
  if (topUps > 0 && end === null) {
    const started = performance.now();
    end = new Date();
    await buildHistory(url, { topUps, customers: Math.max(1, Math.round(topUps / 20)), days: DAYS, end });
    buildSeconds = (performance.now() - started) / 1000;
  }
  end ??= new Date();
  return { url, end, buildSeconds, rollupSeconds: await rollUp(url, end), drop };
}

/** A PostgreSQL database kept between runs under `name` (created empty, or emptied when `fresh`). */
export async function keptPostgresDatabase(name: string, fresh: boolean): Promise<string> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    if (fresh) await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Whether PostgreSQL answers, waiting longer than the tests do: on a loaded machine a connection can take seconds. */
export async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 30_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (err) {
    console.warn(`PostgreSQL at ${POSTGRES_ADMIN_URL} does not answer (${String(err)}): SQLite only`);
    return false;
  }
}

interface Measured {
  built: Built;
  ops: Map<HistoryOp, OpResult>;
  bytes: Map<string, number>;
}

async function measure(dialect: "sqlite" | "postgres", topUps: number): Promise<Measured> {
  const built = await history(dialect, topUps);
  try {
    const mid = Math.max(1, Math.round(topUps * 0.9));
    const customer = Math.max(1, Math.round(topUps / 40));
    const ops: HistoryOp[] = [
      "report-30d", "report-7d", "export-30d",
      `find:26${pad12(mid)}`, `find:TXN${pad12(mid)}`, `find:login${customer}`, `find:@user${customer}`, `find:${100_000_000 + customer}`,
    ];
    const results = new Map<HistoryOp, OpResult>();
    for (const op of ops) {
      results.set(op, await runOp(built.url, op, built.end));
      console.log(`  ${dialect} ${topUps.toLocaleString("en-US")}: ${op} ${results.get(op)!.ms.map((m) => m.toFixed(0)).join("/")} ms`);
    }
    return { built, ops: results, bytes: await tableBytes(built.url) };
  } finally {
    await built.drop();
  }
}

const FIND_NAMES: Record<string, string> = { "find:26": "reference", "find:TXN": "transaction id", "find:login": "login", "find:@": "@username", "find:1": "Telegram id" };
const findName = (op: string) => Object.entries(FIND_NAMES).find(([prefix]) => op.startsWith(prefix))![1];

export async function run(): Promise<BenchResult> {
  const figures: Figure[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const dialects: ("sqlite" | "postgres")[] = (await postgresAnswers()) ? ["sqlite", "postgres"] : ["sqlite"];
  for (const dialect of dialects) {
    const empty = await measure(dialect, 0);
    const full = await measure(dialect, TOP_UPS);
    const runs = (m: Measured, op: HistoryOp) => m.ops.get(op)!.ms;
    const at = (m: Measured, op: HistoryOp) => median(runs(m, op));
    const built = full.built.buildSeconds === null ? "built by an earlier run, kept" : `built in ${num(full.built.buildSeconds, 0)} s`;
    figures.push({ label: `${dialect}: history`, value: `${TOP_UPS.toLocaleString("en-US")} top-ups, ${built}; rollup of its closed hours ${num(full.built.rollupSeconds, 1)} s` });
    for (const op of ["report-30d", "report-7d"] as const) {
      const rise = full.ops.get(op)!.rssRiseBytes;
      const name = `/${op.replace("-", " ")}`;
      figures.push({ label: `${dialect}: ${name}, median (min–max) of 3`, value: `${spread(runs(full, op))}; empty ${spread(runs(empty, op))}; ${ratio(at(full, op) / at(empty, op))} of empty; RSS +${mib(rise)}` });
      targets.push({ label: `${dialect}: ${name} ≤ 300 ms`, target: "≤ 300 ms", measured: ms(at(full, op), 0), met: at(full, op) <= 300 });
      targets.push({ label: `${dialect}: ${name} RSS`, target: "≤ +30 MiB", measured: `+${mib(rise)}`, met: rise <= 30 * 2 ** 20 });
      targets.push({ label: `${dialect}: ${name} vs empty`, target: "≤ 3×", measured: ratio(at(full, op) / at(empty, op)), met: at(full, op) <= 3 * at(empty, op) });
    }
    const exp = full.ops.get("export-30d")!;
    const rows = exp.rows ?? 0;
    const rates = exp.ms.map((t) => rows / (t / 1000));
    const rate = median(rates);
    const first = median(exp.firstRowMs ?? [Number.NaN]);
    figures.push({
      label: `${dialect}: export 30d, median (min–max) of 3`,
      value: `${rows.toLocaleString("en-US")} rows in ${spread(exp.ms)}: ${perSec(rate)} (${num(sorted(rates)[0]!, 0)}–${num(sorted(rates).at(-1)!, 0)}); first row ${spread(exp.firstRowMs ?? [])}; RSS +${mib(exp.rssRiseBytes)}; empty ${spread(runs(empty, "export-30d"))}`,
    });
    targets.push({ label: `${dialect}: export first row`, target: "≤ 1 s", measured: ms(first, 0), met: first <= 1000 });
    targets.push({ label: `${dialect}: export rate`, target: "≥ 50,000 rows/s", measured: perSec(rate), met: rate >= 50_000 });
    targets.push({ label: `${dialect}: export RSS`, target: "≤ +50 MiB", measured: `+${mib(exp.rssRiseBytes)}`, met: exp.rssRiseBytes <= 50 * 2 ** 20 });
    const finds = (m: Measured) => [...m.ops.keys()].filter((op) => op.startsWith("find:"));
    const emptyFind = (op: string) => finds(empty).find((e) => findName(e) === findName(op))!;
    figures.push({ label: `${dialect}: /find, median (min–max) of 3`, value: finds(full).map((op) => `${findName(op)} ${spread(runs(full, op), 1)} (empty ${ms(at(empty, emptyFind(op)), 1)})`).join("; ") });
    for (const op of finds(full)) targets.push({ label: `${dialect}: /find by ${findName(op)}`, target: "≤ 20 ms", measured: ms(at(full, op), 1), met: at(full, op) <= 20 });
    const money = MONEY_TABLES.reduce((s, t) => s + (full.bytes.get(t) ?? 0), 0);
    const notesBytes = full.bytes.get("notifications") ?? 0;
    const rollupBytes = (full.bytes.get("report_payment_hours") ?? 0) + (full.bytes.get("report_rollups") ?? 0);
    const customerDayBytes = full.bytes.get("report_customer_days") ?? 0;
    figures.push({
      label: `${dialect}: database bytes per payment at steady state`,
      value: `${num(money / TOP_UPS, 0)} B in money rows (kept for ever) + ${num(notesBytes / TOP_UPS, 0)} B in notifications (kept RETENTION_DAYS, then pruned); report rollup: hours ${mib(rollupBytes)} for ${DAYS} days (grows by the hour, not by the payment), customer days ${num(customerDayBytes / TOP_UPS, 0)} B per payment (one row per customer and day paid, kept for ever)`,
    });
  }
  notes.push(
    "Steady state: with RETENTION_DAYS pruning, the database grows by the money-row bytes per payment only; notifications hold at (payments per day × RETENTION_DAYS × their bytes per payment); the report rollup adds a few rows per hour (one per currency and provider paid in it), whatever the payments, and one row per customer and day paid (at most one per payment; in this history about one per payment). No table grows without bound other than the money rows and the customer days derived from them.",
    "Where a report's time goes at 1M: payment totals read the rollup's ~720 hours × currencies × providers plus the payments it has not folded; top customers of 7d and 30d read the five first of report_customer_windows (migration 015: one row per customer paid in the window, kept by the rollup) off its (sumMinor DESC) index, merged with the customers of the payments not folded yet (about an hour's), so ranking no longer grows with the period (other periods still group report_customer_days, ~330,000 rows for 30 days); top-ups by status count each status's run of the (merchantId, status, createdAt) index, reading no top-up (a state changes for as long as a top-up lives, so it is never rolled up): ~330,000 index entries for 30 days, now the larger part of a 30-day report's time.",
    `Measured at HISTORY_TOPUPS=${TOP_UPS.toLocaleString("en-US")} on a shared machine (2 cores, other engineers' builds and tests running; load in the header): absolute times are inflated, ratios to the empty database less so.`,
  );
  return {
    name: "history",
    title: "Admin operations on a long history",
    method: [
      `${TOP_UPS.toLocaleString("en-US")} top-ups over ${DAYS} days, one customer per 20, each with its payment, credit and two sent notifications (1 in 20 with a bonus credit, 1 in 50 paid in riel and held, 1 in 1,000 refunded), built inside the database and kept between runs (temp folder / a database of its own; HISTORY_REBUILD=1 builds it again). Periods end at the history's last top-up; the report rollup job folds its closed hours first, as the running application would have.`,
      "Each operation runs in a fresh process that first loads Prisma on a one-day report, export and lookup (the RSS baseline), then runs the operation once untimed (page cache) and 3 times timed against the history and against an empty database; figures are the median and range of the 3. RSS rise: the process's peak RSS over the 4 runs minus its RSS before the first.",
      "The export iterates the streamed CSV (counting rows, writing nowhere) to time the database and the formatting alone.",
    ],
    figures,
    targets,
    notes,
  };
}
