import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminNotes } from "../../src/admin/notes.js";
import { dialects, type TestDatabase } from "../support/databases.js";
import { DEFAULT_MERCHANT_ID, forMerchant } from "../../src/db/merchant-scope.js";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`a digest of a big burst on ${dialect.name}`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("reads all 1,000 payments it covers, oldest first (more than one statement's parameters on SQLite)", async () => {
      const rows = Array.from({ length: 1_000 }, (_, i) => ({
        provider: "raksmeypay", providerTxnId: `digest-${i}`, amountMinor: 500 + i, currency: "USD", flag: "ORPHAN", source: "webhook", raw: "{}", reference: `REF-${i}`,
      }));
      await database.db.payment.createMany({ data: rows });
      const ids = (await database.db.payment.findMany({ select: { id: true } })).map((p) => p.id).reverse();
      const read = await createAdminNotes(forMerchant(database, DEFAULT_MERCHANT_ID)).digestPayments(ids);
      expect(read).toHaveLength(1_000);
      expect(read.map((p) => p.id)).toEqual([...ids].sort((a, b) => a - b));
      expect(read.reduce((sum, p) => sum + p.amountMinor, 0)).toBe(1_000 * 500 + (999 * 1_000) / 2);
    });
  });
}
