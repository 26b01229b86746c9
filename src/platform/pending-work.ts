import type { Database } from "../db/database.js";

/** What of a merchant's money is still moving: removing it then would strand a payment or a credit. */
export interface PendingWork {
  /** Top-ups still waiting for a payment. */
  openTopUps: number;
  /** Credits queued, being sent or being reconciled with the panel. */
  creditsInFlight: number;
  /** Credits held for an admin. */
  heldCredits: number;
  /** Refunds the provider has not made or the panel has not taken back, not yet returned by hand. */
  refundsInFlight: number;
  total: number;
}

/** Counts on the money tables' "merchantId" column (migration 012). */
const PENDING_SQL = `SELECT
  (SELECT COUNT(*) FROM "top_ups" WHERE "merchantId" = $1 AND "status" = 'PENDING') AS "openTopUps",
  (SELECT COUNT(*) FROM "credits" WHERE "merchantId" = $1 AND "status" IN ('QUEUED', 'SENDING', 'RECONCILE')) AS "creditsInFlight",
  (SELECT COUNT(*) FROM "credits" WHERE "merchantId" = $1 AND "status" = 'HELD') AS "heldCredits",
  (SELECT COUNT(*) FROM "refunds" WHERE "merchantId" = $1 AND ("providerStatus" NOT IN ('REFUNDED', 'RETURNED') OR "panelStatus" = 'PENDING')) AS "refundsInFlight"`;

export async function merchantPendingWork(database: Database, merchantId: number): Promise<PendingWork> {
  // SQLite binds `?` in order, PostgreSQL `$1` wherever it stands.
  const [row] = database.dialect === "sqlite"
    ? await database.db.$queryRawUnsafe<Record<string, unknown>[]>(PENDING_SQL.replaceAll("$1", "?"), merchantId, merchantId, merchantId, merchantId)
    : await database.db.$queryRawUnsafe<Record<string, unknown>[]>(PENDING_SQL, merchantId);
  const n = (key: string) => Number(row?.[key] ?? 0);
  const work = { openTopUps: n("openTopUps"), creditsInFlight: n("creditsInFlight"), heldCredits: n("heldCredits"), refundsInFlight: n("refundsInFlight") };
  return { ...work, total: work.openTopUps + work.creditsInFlight + work.heldCredits + work.refundsInFlight };
}

export function pendingWorkText(w: PendingWork): string {
  const parts = [
    [w.openTopUps, "top-up(s) awaiting payment"],
    [w.creditsInFlight, "credit(s) not done"],
    [w.heldCredits, "held credit(s)"],
    [w.refundsInFlight, "refund(s) in flight"],
  ] as const;
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(", ");
}
