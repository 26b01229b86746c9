import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forMerchant } from "../../src/db/merchant-scope.js";
import { dialects, type TestDatabase } from "../support/databases.js";

for (const dialect of dialects) {
  describe.runIf(dialect.enabled)(`a merchant's view of the database (${dialect.name})`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await dialect.fresh();
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("stamps what it creates and reads and changes only its own rows: plain calls, interactive and batch transactions", async () => {
      const a = forMerchant(database, 1).db;
      const b = forMerchant(database, 2).db;
      const user = (telegramId: bigint) => ({ telegramId, firstName: "Dara", language: "en" });
      await a.user.create({ data: user(10n) });
      await b.user.createMany({ data: [user(10n), user(11n)] });
      await b.$transaction(async (tx) => {
        await tx.user.upsert({ where: { merchantId_telegramId: { merchantId: 2, telegramId: 12n } }, create: user(12n), update: {} });
        await tx.user.updateMany({ data: { panelLogin: "b-login" } });
      });
      await a.$transaction([a.user.updateMany({ data: { panelLogin: "a-login" } }), a.user.count()]);

      const all = await database.db.user.findMany({ orderBy: [{ merchantId: "asc" }, { telegramId: "asc" }] });
      expect(all.map((u) => [u.merchantId, u.telegramId, u.panelLogin])).toEqual([[1, 10n, "a-login"], [2, 10n, "b-login"], [2, 11n, "b-login"], [2, 12n, "b-login"]]);
      expect(await a.user.count()).toBe(1);
      expect(await b.user.count()).toBe(3);
      expect(await a.user.findFirst({ where: { telegramId: 11n } })).toBeNull();
      expect((await b.user.deleteMany({ where: { telegramId: 10n } })).count).toBe(1);
      expect(await a.user.findUnique({ where: { merchantId_telegramId: { merchantId: 1, telegramId: 10n } } })).not.toBeNull();
      // A model that is not a merchant's, and raw SQL, are the plain client's.
      await a.keyValue.create({ data: { key: "scope-test", value: "1" } });
      expect(await b.keyValue.findUnique({ where: { key: "scope-test" } })).not.toBeNull();
      expect(await b.$queryRawUnsafe<{ n: number }[]>(`SELECT 1 AS n`)).toHaveLength(1);
    });
  });
}
