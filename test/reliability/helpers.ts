import BetterSqlite3 from "better-sqlite3";
import type { Database } from "../../src/db/database.js";
import { sqlitePath } from "../../src/db/url.js";

/** CHAOS=1 (npm run test:chaos) turns every suite here from a quick check into a long soak. */
export const CHAOS = Boolean(process.env.CHAOS);

/**
 * Everything that a rejected input must leave alone, in one round trip: row counts of the money
 * tables, the newest payment id and every top-up's status and paid time.
 */
export interface Fingerprint {
  payments: number;
  credits: number;
  topUps: number;
  notifications: number;
  auditLog: number;
  users: number;
  maxPaymentId: number;
  topUpStates: string;
}

const FINGERPRINT_SQL = `SELECT
  (SELECT COUNT(*) FROM payments) AS payments,
  (SELECT COUNT(*) FROM credits) AS credits,
  (SELECT COUNT(*) FROM top_ups) AS "topUps",
  (SELECT COUNT(*) FROM notifications) AS notifications,
  (SELECT COUNT(*) FROM audit_log) AS "auditLog",
  (SELECT COUNT(*) FROM users) AS users,
  (SELECT COALESCE(MAX(id), 0) FROM payments) AS "maxPaymentId",
  (SELECT COALESCE(group_concat(id || ':' || status || ':' || COALESCE(CAST("paidAt" AS TEXT), '-'), ','), '') FROM top_ups) AS "topUpStates"`;

export async function fingerprint(database: Database): Promise<Fingerprint> {
  const [row] = await database.db.$queryRawUnsafe<Record<string, unknown>[]>(FINGERPRINT_SQL);
  if (!row) throw new Error("fingerprint query returned no row");
  return toFingerprint(row);
}

/**
 * The same fingerprint read through a second, read-only connection to the SQLite file: about a
 * hundred times cheaper than a query through Prisma, which matters at 100,000 inputs per property.
 * It sees every committed write (WAL), and the code under test commits before it answers.
 */
export function sqliteFingerprinter(database: Database): { read(): Fingerprint; close(): void } {
  if (database.dialect !== "sqlite") throw new Error("sqliteFingerprinter needs a SQLite database");
  const connection = new BetterSqlite3(sqlitePath(database.url), { readonly: true, fileMustExist: true });
  const statement = connection.prepare(FINGERPRINT_SQL);
  return {
    read: () => toFingerprint(statement.get() as Record<string, unknown>),
    close: () => connection.close(),
  };
}

function toFingerprint(row: Record<string, unknown>): Fingerprint {
  const n = (v: unknown) => Number(v);
  return {
    payments: n(row.payments),
    credits: n(row.credits),
    topUps: n(row.topUps),
    notifications: n(row.notifications),
    auditLog: n(row.auditLog),
    users: n(row.users),
    maxPaymentId: n(row.maxPaymentId),
    topUpStates: String(row.topUpStates),
  };
}

export function sameState(a: Fingerprint, b: Fingerprint): boolean {
  return (
    a.payments === b.payments && a.credits === b.credits && a.topUps === b.topUps && a.notifications === b.notifications &&
    a.auditLog === b.auditLog && a.users === b.users && a.maxPaymentId === b.maxPaymentId && a.topUpStates === b.topUpStates
  );
}

/** The one line each reliability suite prints; docs/RELIABILITY.md collects them. */
export function summaryLine(suite: string, figures: Record<string, string | number>): string {
  const line = `reliability: ${suite} ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(", ")}`;
  console.log(line);
  return line;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
