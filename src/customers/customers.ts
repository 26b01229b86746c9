import type { MerchantDatabase } from "../db/merchant-scope.js";
import type { User } from "../generated/sqlite/client.js";
import type { LedgerDatabase } from "../ledger/hot-path.js";
import { postgresTimestamp, sqliteTimestamp } from "../ledger/sql-time.js";
import { CreditKind, CreditStatus, TopUpStatus } from "../ledger/states.js";

/** What the bot keeps about a Telegram user, refreshed on every update. */
export interface CustomerFields {
  username: string | null;
  firstName: string;
  language: string;
}

/**
 * One merchant's customers: who they are, which panel login they linked, their language, what they may see.
 * A Telegram user of two shops is two customers, each with its own record.
 */
export function createCustomers({ db, dialect, merchantId, hot }: Pick<LedgerDatabase & MerchantDatabase, "db" | "dialect" | "merchantId" | "hot">) {
  const placeholder = (n: number) => (dialect === "postgres" ? `$${n}` : "?");
  const byTelegramId = (telegramId: number | bigint) => ({ merchantId_telegramId: { merchantId, telegramId: BigInt(telegramId) } });
  const timestamp = dialect === "postgres" ? postgresTimestamp : sqliteTimestamp;
  // One statement on the hot path's connection: Prisma's upsert runs a transaction of its own, and a burst of new
  // customers on SQLite's one Prisma connection times them out. The merchant is this service's, never the update's.
  const upsert = `INSERT INTO "users" ("merchantId", "telegramId", "username", "firstName", "language", "createdAt", "updatedAt")
    VALUES (${[1, 2, 3, 4, 5, 6, 7].map(placeholder).join(", ")})
    ON CONFLICT ("merchantId", "telegramId") DO UPDATE SET "username" = excluded."username", "firstName" = excluded."firstName",
      "language" = excluded."language", "updatedAt" = excluded."updatedAt"
    RETURNING "id"`;
  return {
    /** Creates the customer or refreshes who they are; returns the customer's id. */
    async save(telegramId: number, fields: CustomerFields): Promise<number> {
      const now = timestamp(new Date());
      const telegram = dialect === "postgres" ? String(telegramId) : BigInt(telegramId);
      const [row] = await hot.statement<{ id: number }>(upsert, [merchantId, telegram, fields.username, fields.firstName, fields.language, now, now]);
      return Number(row!.id);
    },

    /** The record `save` wrote earlier in the same update. */
    async get(telegramId: number): Promise<User> {
      return db.user.findUniqueOrThrow({ where: byTelegramId(telegramId) });
    },

    async linkLogin(user: User, login: string): Promise<void> {
      // A balance remembered for another login must not be shown for this one.
      const lastBalance = user.panelLogin === login ? {} : { lastBalanceMinor: null };
      await db.user.update({ where: { id: user.id }, data: { panelLogin: login, ...lastBalance } });
    },

    /** The stored language of each of these Telegram users who has used the bot (admins included). */
    async languagesOf(telegramIds: readonly bigint[]): Promise<Map<bigint, string>> {
      const users = await db.user.findMany({ where: { telegramId: { in: [...telegramIds] } }, select: { telegramId: true, language: true } });
      return new Map(users.map((u) => [u.telegramId, u.language]));
    },

    /** The notifier writes to the customer later in this language. */
    async setLanguage(telegramId: number, language: string): Promise<void> {
      await db.user.update({ where: byTelegramId(telegramId), data: { language } });
    },

    /** Only while the customer is still linked to `login`: /balance shows it as that login's. */
    async rememberBalance(userId: number, login: string, balanceMinor: number): Promise<void> {
      await db.user.updateMany({ where: { id: userId, panelLogin: login }, data: { lastBalanceMinor: balanceMinor } });
    },

    /**
     * Panels offer no proof that a Telegram user owns a login, so paying is the proof: a balance is shown
     * only to a customer whose payment through this bot was credited to that login (and not refunded).
     */
    async hasPaidInto(userId: number, login: string): Promise<boolean> {
      // Each credit keeps the login it went to: a top-up's login is what was ordered, not always where the money went.
      const rows = await db.$queryRawUnsafe<unknown[]>(
        `SELECT 1 FROM "credits" c JOIN "top_ups" t ON t."id" = c."topUpId"
         WHERE t."userId" = ${placeholder(1)} AND t."merchantId" = ${placeholder(2)} AND t."status" <> '${TopUpStatus.REFUNDED}'
           AND c."panelLogin" = ${placeholder(3)} AND c."status" = '${CreditStatus.DONE}' AND c."kind" = '${CreditKind.PAYMENT}' LIMIT 1`,
        userId, merchantId, login,
      );
      return rows.length > 0;
    },
  };
}

export type Customers = ReturnType<typeof createCustomers>;
