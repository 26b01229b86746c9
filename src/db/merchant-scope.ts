import type { Database, Db } from "./database.js";

/** The environment merchant (`default`): a single-shop deployment is the platform of this one merchant. */
export const DEFAULT_MERCHANT_ID = 1;

/** The models whose rows belong to one merchant (a `merchantId` column, migration 012). */
const MERCHANT_MODELS = new Set(["User", "TopUp", "Payment", "Credit", "Refund", "AuditLog", "Notification"]);

const WHERE_OPERATIONS = new Set([
  "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate", "groupBy",
  "update", "updateMany", "updateManyAndReturn", "delete", "deleteMany", "upsert",
]);

/**
 * The database as one merchant sees it: every Prisma operation on a merchant's model is filtered by its
 * `merchantId` and every row it creates is stamped with it (transactions opened from it included). Raw SQL is
 * not rewritten: a merchant's raw reads name `merchantId` themselves (src/admin/read-sql.ts). Nested reads
 * (`include`) follow relations from rows already filtered, so they stay within the merchant.
 */
export interface MerchantDatabase extends Database {
  merchantId: number;
}

/** `database` scoped to one merchant (see MerchantDatabase); what every per-merchant service is built over. */
export function forMerchant<D extends Database>(database: D, merchantId: number): D & MerchantDatabase {
  if (!Number.isSafeInteger(merchantId) || merchantId < 1) throw new Error(`not a merchant id: ${merchantId}`);
  return { ...database, merchantId, db: scopedClient(database.db, merchantId) };
}

/** Each merchant model's accessor on the client (`user`, `topUp`…). */
const MERCHANT_ACCESSORS = new Set([...MERCHANT_MODELS].map((model) => model[0]!.toLowerCase() + model.slice(1)));
const CREATE_OPERATIONS = new Set(["create", "createMany", "createManyAndReturn"]);

/**
 * A view of `db` (the plain client, or a transaction's) that rewrites each call on a merchant model before handing it
 * to `db`'s own model. A thin proxy rather than a Prisma client extension: an extended client keeps a model client of
 * its own for every model it is asked for, several KB each, which a platform would pay for each of its 1,000
 * merchants; this keeps nothing but the proxy, and the plain client's models are shared by every merchant.
 */
function scopedClient(db: Db, merchantId: number): Db {
  const stamp = (data: unknown) => (Array.isArray(data) ? data.map((row: object) => ({ ...row, merchantId })) : { ...(data as object), merchantId });
  const scopedArgs = (operation: string, args: Record<string, unknown> | undefined) => {
    const a = { ...args };
    if (WHERE_OPERATIONS.has(operation)) a.where = { ...(a.where as object | undefined), merchantId };
    if (CREATE_OPERATIONS.has(operation)) a.data = stamp(a.data);
    if (operation === "upsert") a.create = stamp(a.create);
    return a;
  };
  const scopedModel = (model: Record<string, unknown>) =>
    new Proxy(model, {
      get(target, operation) {
        const value: unknown = Reflect.get(target, operation);
        if (typeof operation !== "string" || typeof value !== "function" || !(WHERE_OPERATIONS.has(operation) || CREATE_OPERATIONS.has(operation))) return value;
        return (args?: Record<string, unknown>) => (value as (a: unknown) => unknown).call(target, scopedArgs(operation, args));
      },
    });
  return new Proxy(db, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof property === "string" && MERCHANT_ACCESSORS.has(property)) return scopedModel(value as Record<string, unknown>);
      // An interactive transaction's client is scoped alike; a batch's operations were scoped when they were made.
      if (property === "$transaction") {
        return (arg: unknown, options?: unknown) =>
          typeof arg === "function"
            ? target.$transaction((tx) => (arg as (tx: Db) => Promise<unknown>)(scopedClient(tx as Db, merchantId)), options as never)
            : target.$transaction(arg as never, options as never);
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as Db;
}
