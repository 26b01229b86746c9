import BetterSqlite3 from "better-sqlite3";
import { sqlitePath } from "../../src/db/url.js";
import { CreditStatus } from "../../src/ledger/states.js";
import { NotificationStatus } from "../../src/ledger/transitions.js";

/** The money path's state at one moment, read from the SQLite file. */
export interface BacklogSample {
  /** Date.now() when read. */
  at: number;
  /** The highest payment id: payments recorded so far. */
  lastPaymentId: number;
  /** Credits not yet applied (QUEUED, SENDING or RECONCILE). */
  backlog: number;
}

/** A read-only connection that samples how many payments are recorded and how many credits wait. */
export function openBacklogReader(databaseUrl: string): { sample(): BacklogSample; creditsDone(): number; close(): void } {
  const sqlite = new BetterSqlite3(sqlitePath(databaseUrl), { readonly: true, timeout: 10_000 });
  const last = sqlite.prepare(`SELECT coalesce(max("id"), 0) AS id FROM "payments"`);
  const open = sqlite.prepare(`SELECT count(*) AS n FROM "credits" WHERE "status" IN (?, ?, ?)`);
  const done = sqlite.prepare(`SELECT count(*) AS n FROM "credits" WHERE "status" = ?`);
  return {
    sample: () => ({
      at: Date.now(),
      lastPaymentId: (last.get() as { id: number }).id,
      backlog: (open.get(CreditStatus.QUEUED, CreditStatus.SENDING, CreditStatus.RECONCILE) as { n: number }).n,
    }),
    creditsDone: () => (done.get(CreditStatus.DONE) as { n: number }).n,
    close: () => sqlite.close(),
  };
}

/** Least-squares slope of `value` over time, per second. */
export function slopePerSecond(points: readonly { at: number; value: number }[]): number {
  if (points.length < 2) return Number.NaN;
  const t0 = points[0]!.at;
  const xs = points.map((p) => (p.at - t0) / 1000);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = points.reduce((a, p) => a + p.value, 0) / points.length;
  let num = 0;
  let den = 0;
  points.forEach((p, i) => {
    num += (xs[i]! - mx) * (p.value - my);
    den += (xs[i]! - mx) ** 2;
  });
  return den === 0 ? Number.NaN : num / den;
}

/** Customer receipts (topup.* notifications) still queued, and sent so far, read from the SQLite file. */
export function openReceiptReader(databaseUrl: string): { sample(): { queued: number; sent: number }; close(): void } {
  const sqlite = new BetterSqlite3(sqlitePath(databaseUrl), { readonly: true, timeout: 10_000 });
  const count = sqlite.prepare(`SELECT count(*) AS n FROM "notifications" WHERE "status" = ? AND substr("kind", 1, 6) = 'topup.'`);
  return {
    sample: () => ({ queued: (count.get(NotificationStatus.QUEUED) as { n: number }).n, sent: (count.get(NotificationStatus.SENT) as { n: number }).n }),
    close: () => sqlite.close(),
  };
}
