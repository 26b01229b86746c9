/**
 * One shop's /report 30d and /find over a history shared by many shops, against the same shop's history alone,
 * on SQLite and PostgreSQL (issue 22: within 1.5×; indexes lead with the merchant). SHARED_TOPUPS top-ups
 * (default 10,000,000) across SHARED_SHOPS shops (default 1,000), interleaved in time over 90 days; the shop
 * measured is the middle one. Both databases are built inside the database (bench/support/shared-history-data.ts)
 * and kept in the temp folder / PostgreSQL between runs under a name with their size and version;
 * SHARED_REBUILD=1 builds them again; SHARED_DIALECTS=sqlite (or postgres) measures one; SHARED_ROUNDS (default 3)
 * sets how many fresh processes each operation runs in on either history. A quick run:
 * SHARED_TOPUPS=1000000 SHARED_SHOPS=100.
 */
import { rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { sqlitePath } from "../src/db/url.js";
import { keptPostgresDatabase, postgresAnswers, rollUp, runOp } from "./history.js";
import type { HistoryOp } from "./support/history-ops.js";
import { buildSharedHistory, type SharedShape } from "./support/shared-history-data.js";
import { ms, num, ratio, type BenchResult, type Figure, type Target } from "./support/result.js";

const TOP_UPS = Number(process.env.SHARED_TOPUPS ?? 10_000_000);
const SHOPS = Number(process.env.SHARED_SHOPS ?? 1_000);
const DAYS = 90;
/** Bump when bench/support/shared-history-data.ts changes what it builds: kept histories of another version are built again. */
const VERSION = 1;
const SHOP = Math.ceil(SHOPS / 2);
const PER_SHOP = Math.floor(TOP_UPS / SHOPS);
/** Where every kept history ends, so a kept one and a fresh one read alike (a fixed instant, whole hours). */
const END = new Date("2026-06-01T00:00:00Z");

/**
 * Each operation runs this many times in a fresh process on either history (3 timed runs each time): an odd
 * count of runs, so that the median is one of them (a lookup's runs take ~2 ms or ~10 ms, and the upper middle
 * of an even count sided with the slower ones).
 */
const ROUNDS = Number(process.env.SHARED_ROUNDS ?? 3);
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pad12 = (n: number) => String(n).padStart(12, "0");

interface Kept {
  url: string;
  buildSeconds: number | null;
  rollupSeconds: number;
  bytes: number;
}

async function topUpCount(url: string): Promise<number> {
  const database = await openDatabase(url);
  try {
    return await database.db.topUp.count();
  } finally {
    await database.close();
  }
}

/** The shared history (every shop) or the measured shop's alone, kept between runs. */
async function kept(dialect: "sqlite" | "postgres", alone: boolean): Promise<Kept> {
  const name = `khqr_bench_shared_${TOP_UPS}_${SHOPS}${alone ? `_shop${SHOP}` : ""}_v${VERSION}`;
  const rebuild = process.env.SHARED_REBUILD === "1";
  let url: string;
  if (dialect === "sqlite") {
    url = `file:${join(tmpdir(), `${name}.db`)}`;
    if (rebuild) for (const suffix of ["", "-wal", "-shm"]) rmSync(sqlitePath(url) + suffix, { force: true });
  } else {
    url = await keptPostgresDatabase(name, rebuild);
  }
  await migrate(url);
  const expected = alone ? PER_SHOP : PER_SHOP * SHOPS;
  const have = await topUpCount(url);
  let buildSeconds: number | null = null;
  if (have !== expected) {
    if (have !== 0) throw new Error(`the history kept at ${url} holds ${have} top-ups, not ${expected}: run with SHARED_REBUILD=1`);
    const shape: SharedShape = { topUps: TOP_UPS, shops: SHOPS, days: DAYS, end: END, ...(alone ? { onlyShop: SHOP } : {}) };
    const started = performance.now();
    await buildSharedHistory(url, shape);
    buildSeconds = (performance.now() - started) / 1000;
    console.log(`  ${dialect}: built ${name} in ${num(buildSeconds, 0)} s`);
  }
  const rollupSeconds = await rollUp(url, END);
  return { url, buildSeconds, rollupSeconds, bytes: dialect === "sqlite" ? statSync(sqlitePath(url)).size : await postgresBytes(url) };
}

async function postgresBytes(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(`SELECT pg_database_size(current_database()) AS "bytes"`);
    return Number(rows[0]!.bytes);
  } finally {
    await client.end();
  }
}

/** The measured shop's keys: a top-up a tenth from the end, and one of its customers. */
function ops(): HistoryOp[] {
  const k = Math.floor(PER_SHOP * 0.9);
  const i = k * SHOPS + SHOP;
  const customer = 1 + ((k * 7919) % Math.max(1, Math.round(PER_SHOP / 20)));
  return ["report-30d", `find:26${pad12(i)}`, `find:TXN${pad12(i)}`, `find:login${customer}`, `find:@user${customer}`, `find:${100_000_000 + customer}`];
}

const OP_NAMES: Record<string, string> = { "report-30d": "/report 30d", "find:26": "/find reference", "find:TXN": "/find transaction id", "find:login": "/find login", "find:@": "/find @username", "find:1": "/find Telegram id" };
const opName = (op: string) => Object.entries(OP_NAMES).find(([prefix]) => op.startsWith(prefix))![1];

export async function run(): Promise<BenchResult> {
  const figures: Figure[] = [];
  const targets: Target[] = [];
  // SHARED_DIALECTS=sqlite (or postgres) measures one: the first run at 10M builds both histories of each, about
  // 20 min for PostgreSQL and 35 min for SQLite, rollup included, on a loaded machine.
  const wanted = (process.env.SHARED_DIALECTS ?? "sqlite,postgres").split(",");
  const postgres = wanted.includes("postgres") && (await postgresAnswers());
  const dialects = (["sqlite", "postgres"] as const).filter((d) => (d === "sqlite" ? wanted.includes(d) : postgres));
  for (const dialect of dialects) {
    const shared = await kept(dialect, false);
    const alone = await kept(dialect, true);
    const built = (k: Kept) => (k.buildSeconds === null ? "kept from an earlier run" : `built in ${num(k.buildSeconds, 0)} s`);
    const size = (k: Kept) => `, ${num(k.bytes / 2 ** 30, 1)} GiB`;
    figures.push({
      label: `${dialect}: histories`,
      value: `shared ${TOP_UPS.toLocaleString("en-US")} top-ups / ${SHOPS.toLocaleString("en-US")} shops ${built(shared)}${size(shared)}, rollup ${num(shared.rollupSeconds, 0)} s; shop ${SHOP} alone ${PER_SHOP.toLocaleString("en-US")} top-ups ${built(alone)}, rollup ${num(alone.rollupSeconds, 1)} s`,
    });
    for (const op of ops()) {
      // Shared and alone in turn, twice: a burst of load from elsewhere falls on both.
      const times: [number[], number[]] = [[], []];
      for (let round = 0; round < ROUNDS; round++) for (const [n, k] of [shared, alone].entries()) times[n]!.push(...(await runOp(k.url, op, END, SHOP)).ms);
      const [s, a] = times.map(median) as [number, number];
      const range = (xs: number[]) => `${num(Math.min(...xs), 1)}–${num(Math.max(...xs), 1)}`;
      console.log(`  ${dialect}: ${opName(op)} shared ${s.toFixed(1)} ms, alone ${a.toFixed(1)} ms`);
      figures.push({ label: `${dialect}: ${opName(op)}, median (min–max) of ${3 * ROUNDS}`, value: `shared ${ms(s, 1)} (${range(times[0])}); alone ${ms(a, 1)} (${range(times[1])}); ${ratio(s / a)}` });
      targets.push({ label: `${dialect}: ${opName(op)} shared vs alone`, target: "≤ 1.5×", measured: ratio(s / a), met: s <= 1.5 * a });
    }
  }
  return {
    name: "shared-history",
    title: "One shop's report and lookups in a shared history",
    method: [
      `${TOP_UPS.toLocaleString("en-US")} top-ups across ${SHOPS.toLocaleString("en-US")} shops over ${DAYS} days, interleaved in time (top-up i is shop 1 + (i − 1) mod shops), ${PER_SHOP.toLocaleString("en-US")} per shop for one customer per 20; each paid and credited, 1 in 20 with a bonus credit, 1 in 50 paid in riel and held, 1 in 1,000 refunded; no notification rows. Built inside the database (series; indexes, and PostgreSQL's foreign keys, built after the load) and kept between runs; the report rollup folds every closed hour first.`,
      `Shop ${SHOP}'s operations in a fresh process each (one untimed run, then 3 timed), on the shared history and on a database holding that shop's rows alone (the same rows and ids), in turn, ${ROUNDS} times each. Ratio: shared median / alone median.`,
    ],
    figures,
    targets,
    notes: ["Measured on a shared machine (2 cores, other engineers' builds and tests running; load in the header): ratios of the same run are the figure, absolute times are inflated."],
  };
}
