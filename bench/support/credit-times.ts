import BetterSqlite3 from "better-sqlite3";
import { sqlitePath } from "../../src/db/url.js";

/** A timestamp as either path stores it (ISO text or epoch milliseconds). */
function millis(value: unknown): number {
  return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : Date.parse(String(value));
}

export interface PaymentCredit {
  observed: number;
  /** When its credit was applied; null while it is not DONE. */
  done: number | null;
}

/** Every payment after `sinceId` (up to `untilId`; of one merchant when given) with its credit's completion time, read from the SQLite file. */
export function paymentCredits(databaseUrl: string, sinceId = 0, untilId = Number.MAX_SAFE_INTEGER, merchantId?: number): PaymentCredit[] {
  const sqlite = new BetterSqlite3(sqlitePath(databaseUrl), { readonly: true, timeout: 10_000 });
  try {
    const rows = sqlite
      .prepare(
        `SELECT p."observedAt" AS observed, c."doneAt" AS done, c."status" AS status FROM "payments" p
         LEFT JOIN "credits" c ON c."paymentId" = p."id" WHERE p."id" > ? AND p."id" <= ? AND (? IS NULL OR p."merchantId" = ?)`,
      )
      .all(sinceId, untilId, merchantId ?? null, merchantId ?? null) as { observed: unknown; done: unknown; status: string | null }[];
    return rows.map((r) => ({ observed: millis(r.observed), done: r.status === "DONE" && r.done !== null ? millis(r.done) : null }));
  } finally {
    sqlite.close();
  }
}

/** The highest payment id so far (0 when none). */
export function lastPaymentId(databaseUrl: string): number {
  const sqlite = new BetterSqlite3(sqlitePath(databaseUrl), { readonly: true, timeout: 10_000 });
  try {
    return (sqlite.prepare(`SELECT coalesce(max("id"), 0) AS id FROM "payments"`).get() as { id: number }).id;
  } finally {
    sqlite.close();
  }
}
