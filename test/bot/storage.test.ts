import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseStorage } from "../../src/bot/storage.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await freshSqlite();
});

afterAll(async () => {
  await database?.drop();
});

describe("bot storage over the key_values table", () => {
  it("keeps sessions and conversations apart, under namespaced keys", async () => {
    const storage = databaseStorage(database.db);
    await storage.session.write("42", { language: "km" });
    expect(await storage.session.read("42")).toEqual({ language: "km" });
    expect(await storage.conversations.read("42")).toBeUndefined();
    const keys = (await database.db.keyValue.findMany()).map((r) => r.key);
    expect(keys).toEqual(["session:42"]);
    await storage.session.write("42", { language: "en" });
    expect(await storage.session.read("42")).toEqual({ language: "en" });
    await storage.session.delete("42");
    expect(await storage.session.read("42")).toBeUndefined();
  });

  it("survives a new storage object (a restart or another instance)", async () => {
    await databaseStorage(database.db).conversations.write("7", { version: [0, 1], state: { topup: [] } });
    expect(await databaseStorage(database.db).conversations.read("7")).toEqual({ version: [0, 1], state: { topup: [] } });
  });

  it("acquire: once per window, across storage objects, free again after the window", async () => {
    const a = databaseStorage(database.db);
    const b = databaseStorage(database.db);
    expect(await a.acquire("check:1", 300)).toBe(true);
    expect(await b.acquire("check:1", 300)).toBe(false);
    expect(await a.acquire("check:2", 300)).toBe(true);
    await new Promise((r) => setTimeout(r, 350));
    const raced = await Promise.all([a.acquire("check:1", 300), b.acquire("check:1", 300)]);
    expect(raced.filter(Boolean)).toHaveLength(1);
  });
});
