import type { Database } from "../db/database.js";
import { postgresTimestamp, sqliteTimestamp } from "../ledger/sql-time.js";
import { CreditKind, CreditStatus } from "../ledger/states.js";
import type { ReportPeriod } from "./admin-service.js";
import { REPORT_TIME_ZONE } from "../config/report-zone.js";

/** A count and what it adds up to in each currency (a shop may take USD and KHR). */
export interface CountAndSums {
  count: number;
  sums: { currency: string; sumMinor: number }[];
}

/** What an operator sees of one shop: counts and sums, never a secret, a customer or a message. */
export interface ShopFigures {
  merchantId: number;
  name: string;
  state: string;
  /** The bot's @username, from the stored getMe answer; null for the environment merchant and a removed one. */
  bot: string | null;
  /** Top-ups created in the period. */
  opened: number;
  /** Payments observed in the period (orphans too: money received). */
  paid: CountAndSums;
  /** Payment credits done in the period. */
  credited: number;
  /** Refunds made in the period. */
  refunded: CountAndSums;
  /** Credits held for an admin now. */
  held: number;
  /** Credits queued, being sent or reconciled now. */
  creditsPending: number;
  /** The shop's latest payment ever; null when it has none. */
  lastPaymentAt: Date | null;
  /** A test payment of its own admin's succeeded (src/platform/test-payments.ts). */
  verified: boolean;
}

export interface PlatformReport {
  period: ReportPeriod;
  timeZone: string;
  shops: ShopFigures[];
  total: Omit<ShopFigures, "merchantId" | "name" | "state" | "bot" | "verified">;
}

const WAITING = [CreditStatus.QUEUED, CreditStatus.SENDING, CreditStatus.RECONCILE];
const n = (v: unknown) => Number(v ?? 0);

/**
 * The operator's view of every shop (`/platform`, CLI `report --all`): per shop, grouped by merchantId in the
 * database over the history indexes that lead with it (one seek per shop and period, never a walk of a history
 * table), plus the credits waiting now off the queue's status index. Reads every merchant's rows: the pool acts
 * for all of them (src/db/all-merchants.ts). Selects no secret column, no customer and no message.
 */
export function createPlatformReport(database: Database) {
  const postgres = database.dialect === "postgres";
  const time = postgres ? "?::timestamp" : "?";
  const at = (d: Date) => (postgres ? postgresTimestamp(d) : sqliteTimestamp(d));
  const isoText = (column: string) => (postgres ? `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : column);
  const numbered = (sql: string) => {
    let i = 0;
    return postgres ? sql.replaceAll("?", () => `$${++i}`) : sql;
  };
  const ids = (list: readonly unknown[]) => list.map(() => "?").join(", ");

  async function report(period: ReportPeriod): Promise<PlatformReport> {
    // One snapshot: the shops and their figures agree with each other.
    const isolation = (postgres ? { isolationLevel: "RepeatableRead" } : {}) as { isolationLevel?: "Serializable" };
    const rows = await database.db.$transaction(async (tx) => {
      const read = <R>(sql: string, params: readonly unknown[]) => tx.$queryRawUnsafe<R[]>(numbered(sql), ...params);
      const merchants = await read<{ id: number | bigint; name: string; state: string; botInfo: string | null; verified: boolean | number | bigint; lastPaymentAt: string | null }>(
        `SELECT "m"."id", "m"."name", "m"."state", "m"."botInfo", "m"."verifiedAt" IS NOT NULL AS "verified",
          (SELECT ${isoText(`"p"."observedAt"`)} FROM "payments" "p" WHERE "p"."merchantId" = "m"."id" ORDER BY "p"."observedAt" DESC LIMIT 1) AS "lastPaymentAt"
         FROM "merchants" "m" ORDER BY "m"."id"`,
        [],
      );
      const list = merchants.map((m) => Number(m.id));
      if (list.length === 0) return { merchants, opened: [], paid: [], credited: [], refunded: [], waiting: [] };
      const range = [at(period.from), at(period.to)];
      const [opened, paid, credited, refunded, waiting] = [
        await read<{ merchantId: number; count: bigint }>(
          `SELECT "merchantId", count(*) AS "count" FROM "top_ups"
           WHERE "merchantId" IN (${ids(list)}) AND "createdAt" >= ${time} AND "createdAt" < ${time} GROUP BY "merchantId"`,
          [...list, ...range],
        ),
        await read<{ merchantId: number; currency: string; count: bigint; sumMinor: bigint }>(
          `SELECT "merchantId", "currency", count(*) AS "count", sum("amountMinor") AS "sumMinor" FROM "payments"
           WHERE "merchantId" IN (${ids(list)}) AND "observedAt" >= ${time} AND "observedAt" < ${time} GROUP BY "merchantId", "currency"`,
          [...list, ...range],
        ),
        await read<{ merchantId: number; count: bigint }>(
          `SELECT "merchantId", count(*) AS "count" FROM "credits"
           WHERE "kind" = ? AND "status" = ? AND "merchantId" IN (${ids(list)}) AND "doneAt" >= ${time} AND "doneAt" < ${time} GROUP BY "merchantId"`,
          [CreditKind.PAYMENT, CreditStatus.DONE, ...list, ...range],
        ),
        await read<{ merchantId: number; currency: string; count: bigint; sumMinor: bigint }>(
          `SELECT "merchantId", "currency", count(*) AS "count", sum("amountMinor") AS "sumMinor" FROM "refunds"
           WHERE "merchantId" IN (${ids(list)}) AND "createdAt" >= ${time} AND "createdAt" < ${time} GROUP BY "merchantId", "currency"`,
          [...list, ...range],
        ),
        // Only what waits is in these states: the status index reads nothing else.
        await read<{ merchantId: number; status: string; count: bigint }>(
          `SELECT "merchantId", "status", count(*) AS "count" FROM "credits" WHERE "status" IN (${ids([CreditStatus.HELD, ...WAITING])}) GROUP BY "merchantId", "status"`,
          [CreditStatus.HELD, ...WAITING],
        ),
      ];
      return { merchants, opened, paid, credited, refunded, waiting };
    }, isolation);

    const countOf = (list: readonly { merchantId: number; count: bigint }[], id: number) => n(list.find((r) => Number(r.merchantId) === id)?.count);
    const sumsOf = (list: readonly { merchantId: number; currency: string; count: bigint; sumMinor: bigint }[], id: number): CountAndSums => {
      const mine = list.filter((r) => Number(r.merchantId) === id).sort((a, b) => a.currency.localeCompare(b.currency));
      return { count: mine.reduce((s, r) => s + n(r.count), 0), sums: mine.map((r) => ({ currency: r.currency, sumMinor: n(r.sumMinor) })) };
    };
    const shops = rows.merchants.map((m): ShopFigures => {
      const id = Number(m.id);
      const waiting = rows.waiting.filter((r) => Number(r.merchantId) === id);
      return {
        merchantId: id,
        name: m.name,
        state: m.state,
        bot: m.botInfo === null ? null : ((JSON.parse(m.botInfo) as { username?: string }).username ?? null),
        opened: countOf(rows.opened, id),
        paid: sumsOf(rows.paid, id),
        credited: countOf(rows.credited, id),
        refunded: sumsOf(rows.refunded, id),
        held: waiting.filter((r) => r.status === CreditStatus.HELD).reduce((s, r) => s + n(r.count), 0),
        creditsPending: waiting.filter((r) => r.status !== CreditStatus.HELD).reduce((s, r) => s + n(r.count), 0),
        lastPaymentAt: m.lastPaymentAt === null ? null : new Date(Date.parse(m.lastPaymentAt)),
        verified: m.verified === true || Number(m.verified) === 1,
      };
    });
    return { period, timeZone: REPORT_TIME_ZONE, shops, total: totalOf(shops) };
  }

  return { report };
}

export type PlatformReporter = ReturnType<typeof createPlatformReport>;

function addSums(into: Map<string, number>, c: CountAndSums): void {
  for (const s of c.sums) into.set(s.currency, (into.get(s.currency) ?? 0) + s.sumMinor);
}

function totalOf(shops: readonly ShopFigures[]): PlatformReport["total"] {
  const paid = new Map<string, number>();
  const refunded = new Map<string, number>();
  for (const s of shops) {
    addSums(paid, s.paid);
    addSums(refunded, s.refunded);
  }
  const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([currency, sumMinor]) => ({ currency, sumMinor }));
  const sum = (f: (s: ShopFigures) => number) => shops.reduce((t, s) => t + f(s), 0);
  const last = shops.map((s) => s.lastPaymentAt).filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
  return {
    opened: sum((s) => s.opened),
    paid: { count: sum((s) => s.paid.count), sums: sorted(paid) },
    credited: sum((s) => s.credited),
    refunded: { count: sum((s) => s.refunded.count), sums: sorted(refunded) },
    held: sum((s) => s.held),
    creditsPending: sum((s) => s.creditsPending),
    lastPaymentAt: last,
  };
}
