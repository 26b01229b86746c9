/**
 * SQLite commits on the hot path, without HTTP: how much WAL one payment's whole life writes (record,
 * credit claim, credit finish, receipt claim and sent) as a function of how many payments share each
 * group commit, and what a commit costs with synchronous = FULL against NORMAL.
 */
import BetterSqlite3 from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { openLedgerDatabase, type LedgerDatabase } from "../src/ledger/hot-path.js";
import { CHECKPOINT_EVERY_MS } from "../src/db/sqlite-checkpointer.js";
import { createLocalWakeup } from "../src/db/wakeup.js";
import { createMetrics } from "../src/metrics.js";
import { recordPayment, type LedgerDeps } from "../src/ledger/record-payment.js";
import { sqlitePath } from "../src/db/url.js";
import { dayReferences, seedTopUps, silentLog, tempSqlite } from "./support/fixtures.js";
import { creditMemo } from "../src/ledger/decide.js";
import { ms, num, sleep, type BenchResult } from "./support/result.js";
import { commitWithNormalSync, type Synchronous } from "./support/sqlite-sync.js";
import { walFrameBytes, walFramesByBtree } from "./support/wal-pages.js";
import { DEFAULT_MERCHANT_ID } from "../src/db/merchant-scope.js";

const PAYMENTS = 256;
/**
 * Paid top-ups already in the tables (each with its payment and done credit, references of the same day): a new
 * transaction id or reference then lands on a leaf page of its index of its own, as in a live install.
 */
const HISTORY = 50_000;
const BATCHES = [1, 4, 8, 16, 64] as const;
const TIMED_BATCHES = [1, 16] as const;
/** Timed runs per figure; SQLITE_COMMIT_REPEATS=1 is the short form (the WAL figures are one run each whatever it says). */
const REPEATS = Number(process.env.SQLITE_COMMIT_REPEATS ?? 3);
const LEASE_MS = 30_000;

interface Run {
  walBytesPerPayment: number;
  msPerPayment: number;
  /** One WAL frame of this database: its page size + 24. */
  frameBytes: number;
  /** Only when asked: frames per payment by table or index, largest first. */
  byBtree?: [string, number][];
}

/**
 * PAYMENTS payments through their whole life, `batch` of them in each group commit of each step. With
 * `attribute`, the checkpointer is stopped and the WAL emptied first, so the file keeps every frame to sort by owner.
 */
async function lifecycle(batch: number, synchronous: Synchronous, attribute = false): Promise<Run> {
  const file = tempSqlite("commit");
  const restoreSync = synchronous === "NORMAL" ? commitWithNormalSync() : () => undefined;
  let database: LedgerDatabase | undefined;
  try {
    database = await openLedgerDatabase(file.url);
    const [row] = await database.db.$queryRawUnsafe<{ synchronous: bigint }[]>("PRAGMA synchronous");
    if (Number(row!.synchronous) !== (synchronous === "FULL" ? 2 : 1)) throw new Error(`the connections do not run synchronous = ${synchronous}`);
    const all = dayReferences(PAYMENTS + HISTORY);
    const refs = all.slice(0, PAYMENTS);
    seedHistory(file.url, all.slice(PAYMENTS));
    seedTopUps(file.url, { provider: "raksmeypay", refs, amountMinor: 500, panelLogin: "dara", chatId: 900_000_001n, userPerTopUp: true });
    const ledger: LedgerDeps = { merchantId: DEFAULT_MERCHANT_ID, database, wakeup: createLocalWakeup(), log: silentLog, metrics: createMetrics(), panelCurrency: "USD", khrPerUsd: 4100, adminChats: [-100n] };
    const { credits, notifications } = database.hot;
    if (attribute) {
      await database.checkpointer!.stop();
      emptyWal(file.url);
    }
    await sleep(CHECKPOINT_EVERY_MS * 2);
    const frameBytes = walFrameBytes(sqlitePath(file.url));
    const before = database.checkpointer!.stats().walBytesWritten;
    const t0 = performance.now();
    for (let i = 0; i < PAYMENTS; i += batch) {
      const now = new Date();
      await Promise.all(
        refs.slice(i, i + batch).map((reference) =>
          recordPayment(ledger, { provider: "raksmeypay", providerTxnId: randomBytes(32).toString("hex"), reference, amountMinor: 500, currency: "USD", raw: { reference } }, { source: "webhook", signed: true }),
        ),
      );
      const claimed = await credits.claim({ instanceId: "bench", at: now, leaseMs: LEASE_MS, limit: batch, room: new Map([[DEFAULT_MERCHANT_ID, batch]]) });
      await Promise.all(claimed.map((c, j) => credits.finish(c, { panelPaymentId: `p${i + j}`, balanceMinor: 500 }, now, { bonus: undefined, adminChats: [] })));
      const due = await notifications.due("customers", new Date(), batch * 4);
      const ids = [...(await notifications.claim(due.map((n) => n.id), new Date(), LEASE_MS))];
      await notifications.sent(ids, new Date());
    }
    const elapsed = performance.now() - t0;
    if (attribute) {
      const byBtree = [...walFramesByBtree(sqlitePath(file.url))].map(([name, n]): [string, number] => [name, n / PAYMENTS]).sort((a, b) => b[1] - a[1]);
      const frames = byBtree.reduce((sum, [, n]) => sum + n, 0) * PAYMENTS;
      return { walBytesPerPayment: (frames * frameBytes) / PAYMENTS, msPerPayment: elapsed / PAYMENTS, frameBytes, byBtree };
    }
    await sleep(CHECKPOINT_EVERY_MS * 3);
    return { walBytesPerPayment: (database.checkpointer!.stats().walBytesWritten - before) / PAYMENTS, msPerPayment: elapsed / PAYMENTS, frameBytes };
  } finally {
    await database?.close();
    restoreSync();
    file.remove();
  }
}

/** Paid and credited top-ups, one payment and one done credit each (random transaction ids), in one transaction. */
function seedHistory(url: string, refs: readonly string[]): void {
  const sqlite = new BetterSqlite3(sqlitePath(url));
  const at = "2026-01-01 00:00:00";
  try {
    const user = sqlite.prepare(`INSERT INTO "users" ("telegramId", "language", "panelLogin", "createdAt", "updatedAt") VALUES (1, 'en', 'dara', '${at}', '${at}') RETURNING "id"`);
    const topUp = sqlite.prepare(
      `INSERT INTO "top_ups" ("reference", "userId", "chatId", "provider", "currency", "amountMinor", "panelLogin", "status", "expiresAt", "paidAt", "creditedAt", "paymentsSeen", "createdAt", "updatedAt")
       VALUES (?, ?, 1, 'raksmeypay', 'USD', 500, 'dara', 'CREDITED', '${at}', '${at}', '${at}', 1, '${at}', '${at}')`,
    );
    const payment = sqlite.prepare(
      `INSERT INTO "payments" ("provider", "providerTxnId", "topUpId", "amountMinor", "currency", "flag", "source", "raw", "reference", "observedAt")
       VALUES ('raksmeypay', ?, ?, 500, 'USD', 'OK', 'webhook', '{}', ?, '${at}')`,
    );
    const credit = sqlite.prepare(
      `INSERT INTO "credits" ("paymentId", "topUpId", "panelLogin", "amountMinor", "currency", "memo", "kind", "status", "nextAttemptAt", "createdAt", "doneAt")
       VALUES (?, ?, 'dara', 500, 'USD', ?, 'PAYMENT', 'DONE', '${at}', '${at}', '${at}')`,
    );
    sqlite.transaction(() => {
      const userId = (user.get() as { id: number }).id;
      for (const reference of refs) {
        const topUpId = Number(topUp.run(reference, userId).lastInsertRowid);
        const paymentId = Number(payment.run(randomBytes(32).toString("hex"), topUpId, reference).lastInsertRowid);
        credit.run(paymentId, topUpId, creditMemo(reference, paymentId));
      }
    })();
  } finally {
    sqlite.close();
  }
}

function emptyWal(url: string): void {
  const sqlite = new BetterSqlite3(sqlitePath(url));
  try {
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    sqlite.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<BenchResult> {
  const wal = new Map<number, Run>();
  for (const batch of BATCHES) wal.set(batch, await lifecycle(batch, "FULL", batch === BATCHES.at(-1)));
  const timed = new Map<string, number>();
  for (const batch of TIMED_BATCHES) {
    for (const sync of ["FULL", "NORMAL"] as const) {
      const runs: number[] = [];
      for (let r = 0; r < REPEATS; r++) runs.push((await lifecycle(batch, sync)).msPerPayment);
      timed.set(`${batch}/${sync}`, median(runs));
    }
  }
  const kib = (bytes: number) => `${num(bytes / 1024, 1)} KiB`;
  const one = wal.get(1)!;
  const most = wal.get(BATCHES.at(-1)!)!;
  return {
    name: "sqlite-commit",
    title: "SQLite commits: WAL per payment and the cost of synchronous = FULL",
    method: [
      `openDatabase on a temp SQLite file (every connection at the production settings, the checkpointer thread running); ${HISTORY.toLocaleString("en-US")} earlier paid top-ups (each with its payment, random transaction id, and its done credit) and ${PAYMENTS} pending RaksmeyPay top-ups (one customer each) inserted directly, all with references as production makes them (the day's date and 8 random digits).`,
      `Each payment's whole life through the hot path, no HTTP: recordPayment (random 64-hex transaction id) → credits.claim → credits.finish → notifications due/claim/sent for the customer's receipt; each step for a batch of payments at once, so the batch shares one group commit per step (5 commits per batch).`,
      `WAL written = frames counted by the checkpointer thread (src/db/sqlite-checkpointer.ts) × (the database's page size, read from it, + 24 bytes), one run per batch size (it depends on the pages touched, not on timing). For ${BATCHES.at(-1)} per commit the checkpointer is stopped and the WAL emptied first, and the frames are read back from the WAL file and sorted by the table or index owning each page (dbstat). Time per payment = wall time of the whole loop ÷ ${PAYMENTS}, median of ${REPEATS} runs, each on a fresh database; NORMAL through bench/support/sqlite-sync.ts, read back from Prisma's connection.`,
      `In the running program these steps of different payments also share commits with each other; this bench keeps them apart, so its figures per commit are the upper bound for a given batch size. The machine was shared with other engineers' work while measuring.`,
    ],
    figures: [
      ...BATCHES.map((b) => ({ label: `WAL per payment, ${b} payment${b === 1 ? "" : "s"} per commit`, value: kib(wal.get(b)!.walBytesPerPayment) })),
      ...TIMED_BATCHES.map((b) => ({
        label: `Time per payment (5 commits per batch), ${b} per commit: FULL / NORMAL (median of ${REPEATS})`,
        value: `${ms(timed.get(`${b}/FULL`)!, 3)} / ${ms(timed.get(`${b}/NORMAL`)!, 3)}`,
      })),
    ],
    targets: [],
    notes: [
      `Where the WAL goes at ${BATCHES.at(-1)} per commit, frames (${num(most.frameBytes / 1024, 2)} KiB each) per payment: ${most.byBtree!.slice(0, 6).map(([name, n]) => `${name} ${num(n, 2)}`).join(", ")}. ` +
        `The unique index on the provider's transaction id takes a page of its own for nearly every payment, since the ids are random (RaksmeyPay's bakong_hash): no batching shares those pages, and it is the money invariant's key (a transaction is credited at most once), so it stays. The same holds for every index led by the reference (random within its day): the credits' memo (KHQR <reference> <payment id>).`,
      `Most of a commit's WAL is one ${num((most.frameBytes - 24) / 1024, 0)} KiB page per B-tree it touches (a payment touches about 20 tables and indexes over its life), so the WAL per payment falls with the payments per commit: ${kib(one.walBytesPerPayment)} alone, ${kib(most.walBytesPerPayment)} at ${BATCHES.at(-1)} per commit.`,
      `FULL waits for the WAL to reach the disk at every commit: ${ms(timed.get("1/FULL")! - timed.get("1/NORMAL")!, 3)} more per payment than NORMAL at one payment per commit (5 commits), ${ms(timed.get("16/FULL")! - timed.get("16/NORMAL")!, 3)} at 16 per commit.`,
    ],
  };
}
