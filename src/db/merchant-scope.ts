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

function scopedClient(db: Db, merchantId: number): Db {
  const stamp = (data: unknown) => (Array.isArray(data) ? data.map((row: object) => ({ ...row, merchantId })) : { ...(data as object), merchantId });
  const extended = db.$extends({
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          if (!MERCHANT_MODELS.has(model)) return query(args);
          const a = { ...(args as Record<string, unknown>) };
          if (WHERE_OPERATIONS.has(operation)) a.where = { ...(a.where as object | undefined), merchantId };
          if (operation === "create" || operation === "createMany" || operation === "createManyAndReturn") a.data = stamp(a.data);
          if (operation === "upsert") a.create = stamp(a.create);
          return query(a as typeof args);
        },
      },
    },
  });
  // A query extension changes no types: the scoped client has exactly the plain client's API.
  return extended as unknown as Db;
}
