import type { Config } from "../config/config.js";
import { loadMerchantConfig } from "../config/merchant-config.js";
import type { Env } from "../config/reader.js";
import { MERCHANT_VARIABLES } from "../config/variable-scopes.js";
import type { Database, Db } from "../db/database.js";
import { DEFAULT_MERCHANT_ID } from "../db/merchant-scope.js";
import { isUniqueViolation } from "../db/unique-violation.js";
import type { Wakeup } from "../db/wakeup.js";
import type { Merchant } from "../generated/sqlite/client.js";
import type { MasterKey } from "./master-key.js";
import { dataKeyOf } from "./merchant-keys.js";
import { newDataKey, openValue, sealValue, sealedKeyId, wrapDataKey } from "./sealed.js";

/** `pending`: added by onboarding, not served until an operator approves it (audited). */
export type MerchantState = "pending" | "active" | "disabled" | "removed";

/** The audit row of an operator's approval of a pending merchant. */
export const MERCHANT_APPROVED_ACTION = "merchant_approved";

/** A merchant's variables as stored, secrets opened, and the secret_token of its Telegram webhook. */
export interface MerchantSecrets {
  vars: Record<string, string>;
  webhookSecret: string;
}

/** The values among `stored` that a log must never show: the webhook secret and every secret variable's. */
export function secretValuesOf(stored: MerchantSecrets): string[] {
  return [stored.webhookSecret, ...Object.entries(stored.vars).filter(([name]) => MERCHANT_VARIABLES[name]?.secret).map(([, value]) => value)];
}

/** A bot as getMe describes it: stored, so start-up needs no call to Telegram per merchant. */
export interface BotIdentity {
  id: number;
  username: string;
  /** The whole getMe result, JSON. */
  info: string;
}

export interface MerchantRecord {
  id: number;
  name: string;
  state: MerchantState;
  botId: bigint | null;
  /** `username` of the stored getMe answer. */
  botUsername: string | null;
  /** The stored getMe answer. */
  botInfo: string | null;
  routeKey: string | null;
  version: number;
  updatedAt: Date;
  /** When its first test payment succeeded (src/platform/test-payments.ts); null: not yet verified. */
  verifiedAt: Date | null;
}

/** A change the store refuses; `message` is for the operator. */
export class MerchantRefusal extends Error {
  constructor(
    readonly reason: "duplicate_name" | "duplicate_bot" | "not_found" | "removed" | "environment_merchant" | "pending" | "not_pending",
    message: string,
  ) {
    super(message);
    this.name = "MerchantRefusal";
  }
}

const SECRETS_READ_SLICE = 200;

function openSecrets(m: Merchant & { settings: { name: string; secret: boolean; value: string }[] }, master: MasterKey): MerchantSecrets {
  const dataKey = dataKeyOf(m, master);
  const vars = Object.fromEntries(m.settings.map((s) => [s.name, s.secret ? openValue(dataKey, m.id, s.name, s.value) : s.value]));
  return { vars, webhookSecret: openValue(dataKey, m.id, "TELEGRAM_WEBHOOK_SECRET", m.webhookSecret ?? "") };
}

function record(row: Merchant): MerchantRecord {
  const username = row.botInfo === null ? null : ((JSON.parse(row.botInfo) as { username?: string }).username ?? null);
  return { id: row.id, name: row.name, state: row.state as MerchantState, botId: row.botId, botUsername: username, botInfo: row.botInfo, routeKey: row.routeKey, version: row.version, updatedAt: row.updatedAt, verifiedAt: row.verifiedAt };
}

/** The settings rows of `vars`: secrets sealed under the data key, bound to the merchant and the variable. */
function settingRows(merchantId: number, vars: Env, dataKey: Buffer) {
  return Object.entries(vars)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== "")
    .map(([name, value]) => {
      const secret = MERCHANT_VARIABLES[name]?.secret ?? true;
      return { merchantId, name, secret, value: secret ? sealValue(dataKey, merchantId, name, value) : value };
    });
}

export interface MerchantStore {
  list(): Promise<MerchantRecord[]>;
  find(name: string): Promise<MerchantRecord | undefined>;
  findByBot(botId: number): Promise<MerchantRecord | undefined>;
  /** The merchants (not removed) whose ADMIN_IDS name this Telegram user: a merchant's own shops (`/myshop`). */
  ownedBy(telegramId: number): Promise<MerchantRecord[]>;
  /** Stores a new merchant (active unless `state` says pending) with its secrets sealed under a new data key wrapped by `master`. */
  add(input: { name: string; vars: Env; bot: BotIdentity; routeKey: string; webhookSecret: string; state?: "active" | "pending" }, master: MasterKey): Promise<MerchantRecord>;
  /** Replaces a merchant's settings (and its bot, if the token names another one). */
  update(name: string, input: { vars: Env; bot: BotIdentity }, master: MasterKey): Promise<MerchantRecord>;
  /** Enables or disables a merchant that an operator approved already; a pending one is refused (see approve). */
  setState(name: string, state: "active" | "disabled"): Promise<MerchantRecord>;
  /** A pending merchant goes live, with an audit row naming the operator (`actorId`, their Telegram id). */
  approve(name: string, actorId: bigint | null): Promise<MerchantRecord>;
  /** Forgets a merchant's secrets, keys and bot; its row (name) and its history stay for reports. */
  remove(name: string): Promise<MerchantRecord>;
  /** A merchant's variables and webhook secret, opened with `master`. */
  secrets(id: number, master: MasterKey): Promise<MerchantSecrets>;
  /**
   * Several merchants' secrets in one read (a platform starting with 1,000 merchants): each one opened when its
   * opener is called, so a merchant whose secrets do not open fails alone. A merchant not found has no opener.
   */
  secretsOf(ids: readonly number[], master: MasterKey): Promise<Map<number, () => MerchantSecrets>>;
  /** A merchant's configuration as start-up validates it (loadMerchantConfig), from its stored settings. */
  loadConfig(id: number, master: MasterKey, processEnv: Env): Promise<Config>;
  /**
   * Start-up's check of MASTER_KEY: it opens the data key of every merchant that has one, or a ConfigError names
   * MASTER_KEY (one problem, the key ids, never a key). A platform exits 2 on it.
   */
  assertMasterKey(master: MasterKey): Promise<void>;
  /** Changes whenever any merchant changes (added, updated, disabled, enabled, removed): one cheap read. */
  changeMark(): Promise<string>;
  /** Rewraps every merchant's data key under `to` (`from` opens it), one merchant per transaction; how many. */
  rotateMasterKey(from: MasterKey, to: MasterKey): Promise<number>;
  /** After every instance runs with `master`: drops the wrappings under the previous master key; how many. */
  finishRotation(master: MasterKey): Promise<number>;
}

export function createMerchantStore(database: Database, opts: { wakeup?: Wakeup } = {}): MerchantStore {
  const db: Db = database.db;
  const changed = () => opts.wakeup?.notify("merchants");

  async function row(name: string): Promise<Merchant> {
    const found = await db.merchant.findUnique({ where: { name } });
    if (!found) throw new MerchantRefusal("not_found", `no merchant named "${name}"`);
    return found;
  }
  async function stored(name: string): Promise<Merchant> {
    const found = await row(name);
    if (found.id === DEFAULT_MERCHANT_ID) throw new MerchantRefusal("environment_merchant", `"${name}" is the environment merchant: its settings are this deployment's environment (.env)`);
    if (found.state === "removed") throw new MerchantRefusal("removed", `merchant "${name}" was removed`);
    return found;
  }
  async function botIsFree(bot: BotIdentity, except?: number): Promise<void> {
    const other = await db.merchant.findUnique({ where: { botId: BigInt(bot.id) } });
    if (other && other.id !== except) throw new MerchantRefusal("duplicate_bot", `bot @${bot.username} already serves merchant "${other.name}": each merchant needs its own bot (@BotFather → /newbot)`);
  }
  /** A unique index refused the write: another writer took the name or the bot between our check and it. */
  const raced = (err: unknown, name: string) =>
    isUniqueViolation(err) ? new MerchantRefusal("duplicate_name", `merchant "${name}" or its bot was added by someone else at the same time: list the merchants and try again`) : err;

  const store: MerchantStore = {
    async list() {
      return (await db.merchant.findMany({ orderBy: { id: "asc" } })).map(record);
    },
    async find(name) {
      const found = await db.merchant.findUnique({ where: { name } });
      return found ? record(found) : undefined;
    },
    async findByBot(botId) {
      const found = await db.merchant.findUnique({ where: { botId: BigInt(botId) } });
      return found ? record(found) : undefined;
    },

    async ownedBy(telegramId) {
      // ADMIN_IDS is not a secret: stored in plain text, readable without MASTER_KEY.
      const rows = await db.merchantSetting.findMany({ where: { name: "ADMIN_IDS", value: { contains: String(telegramId) } }, include: { merchant: true }, orderBy: { merchantId: "asc" } });
      return rows
        .filter((r) => r.merchant.state !== "removed" && r.value.split(",").map((id) => id.trim()).includes(String(telegramId)))
        .map((r) => record(r.merchant));
    },

    async add(input, master) {
      if (await db.merchant.findUnique({ where: { name: input.name } })) throw new MerchantRefusal("duplicate_name", `a merchant named "${input.name}" exists already (a removed one keeps its name for its history): choose another name`);
      await botIsFree(input.bot);
      const dataKey = newDataKey();
      let created: Merchant;
      try {
        created = await db.$transaction(async (tx) => {
          const m = await tx.merchant.create({ data: { name: input.name, state: input.state ?? "active", botId: BigInt(input.bot.id), botInfo: input.bot.info, routeKey: input.routeKey } });
          await tx.merchantSetting.createMany({ data: settingRows(m.id, input.vars, dataKey) });
          // The id is known only now, and both sealed texts are bound to it.
          return tx.merchant.update({
            where: { id: m.id },
            data: { dataKey: wrapDataKey(master.key, m.id, dataKey), webhookSecret: sealValue(dataKey, m.id, "TELEGRAM_WEBHOOK_SECRET", input.webhookSecret) },
          });
        });
      } catch (err) {
        throw raced(err, input.name);
      }
      changed();
      return record(created);
    },

    async update(name, input, master) {
      const current = await stored(name);
      await botIsFree(input.bot, current.id);
      const dataKey = dataKeyOf(current, master);
      let updated: Merchant;
      try {
        updated = await db.$transaction(async (tx) => {
          await tx.merchantSetting.deleteMany({ where: { merchantId: current.id } });
          await tx.merchantSetting.createMany({ data: settingRows(current.id, input.vars, dataKey) });
          return tx.merchant.update({ where: { id: current.id }, data: { botId: BigInt(input.bot.id), botInfo: input.bot.info, version: { increment: 1 } } });
        });
      } catch (err) {
        throw raced(err, name);
      }
      changed();
      return record(updated);
    },

    async setState(name, state) {
      const current = await stored(name);
      if (current.state === "pending") throw new MerchantRefusal("pending", `merchant "${name}" awaits an operator's approval (the platform bot's approve button); it cannot be enabled or disabled before`);
      const updated = await db.merchant.update({ where: { id: current.id }, data: { state, version: { increment: 1 } } });
      changed();
      return record(updated);
    },

    async approve(name, actorId) {
      const current = await stored(name);
      const updated = await db.$transaction(async (tx) => {
        // Only from pending: two operators pressing approve at once make one approval and one audit row.
        const done = await tx.merchant.updateMany({ where: { id: current.id, state: "pending" }, data: { state: "active", version: { increment: 1 } } });
        if (done.count === 0) throw new MerchantRefusal("not_pending", `merchant "${name}" is not awaiting approval (it is ${current.state})`);
        await tx.auditLog.create({
          data: { merchantId: current.id, actorId, action: MERCHANT_APPROVED_ACTION, subject: `merchant:${name}`, details: JSON.stringify({ version: current.version + 1 }) },
        });
        return tx.merchant.findUniqueOrThrow({ where: { id: current.id } });
      });
      changed();
      return record(updated);
    },

    async remove(name) {
      const current = await stored(name);
      const updated = await db.$transaction(async (tx) => {
        await tx.merchantSetting.deleteMany({ where: { merchantId: current.id } });
        return tx.merchant.update({
          where: { id: current.id },
          data: { state: "removed", botId: null, webhookSecret: null, dataKey: null, previousDataKey: null, version: { increment: 1 } },
        });
      });
      changed();
      return record(updated);
    },

    async secrets(id, master) {
      return openSecrets(await db.merchant.findUniqueOrThrow({ where: { id }, include: { settings: { orderBy: { name: "asc" } } } }), master);
    },

    async secretsOf(ids, master) {
      const opened = new Map<number, () => MerchantSecrets>();
      // In slices: a query takes a bounded number of parameters (SQLite's adapter, 999).
      for (let i = 0; i < ids.length; i += SECRETS_READ_SLICE) {
        const found = await db.merchant.findMany({ where: { id: { in: ids.slice(i, i + SECRETS_READ_SLICE) } }, include: { settings: { orderBy: { name: "asc" } } } });
        for (const m of found) opened.set(m.id, () => openSecrets(m, master));
      }
      return opened;
    },

    async loadConfig(id, master, processEnv) {
      const { vars, webhookSecret } = await store.secrets(id, master);
      return loadMerchantConfig(processEnv, vars, { webhookSecret });
    },

    async assertMasterKey(master) {
      for (const m of await db.merchant.findMany({ where: { dataKey: { not: null } }, orderBy: { id: "asc" } })) dataKeyOf(m, master);
    },

    async changeMark() {
      // Versions only grow and rows are never deleted, so any change moves the sum.
      const [mark] = await db.$queryRawUnsafe<{ mark: unknown }[]>(`SELECT COALESCE(SUM("version"), 0) || ':' || COUNT(*) AS mark FROM "merchants"`);
      return String(mark?.mark);
    },

    async rotateMasterKey(from, to) {
      let rotated = 0;
      // Until none is left under another key: a merchant added meanwhile (under `from`) is rotated on the next pass.
      for (;;) {
        const left = (await db.merchant.findMany({ where: { dataKey: { not: null } }, orderBy: { id: "asc" } })).filter((m) => sealedKeyId(m.dataKey!) !== to.id);
        if (left.length === 0) return rotated;
        for (const m of left) {
          const dataKey = dataKeyOf(m, from);
          // Only if nobody changed the wrapping since it was read; the old one stays for instances still on `from`.
          const done = await db.merchant.updateMany({
            where: { id: m.id, dataKey: m.dataKey },
            data: { dataKey: wrapDataKey(to.key, m.id, dataKey), previousDataKey: sealedKeyId(m.dataKey!) === from.id ? m.dataKey : m.previousDataKey },
          });
          rotated += done.count;
        }
      }
    },

    async finishRotation(master) {
      const rows = await db.merchant.findMany({ where: { previousDataKey: { not: null } } });
      // Each current wrapping must open under `master` first: never drop the only one that opens.
      for (const m of rows) dataKeyOf({ ...m, previousDataKey: null }, master);
      const done = await db.merchant.updateMany({ where: { id: { in: rows.map((m) => m.id) } }, data: { previousDataKey: null } });
      return done.count;
    },
  };
  return store;
}
