import { Redis } from "ioredis";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBotStorage, databaseStorage, type BotStorage } from "../../src/bot/storage.js";
import type { Config } from "../../src/config/config.js";
import { freshSqlite, type TestDatabase } from "../support/databases.js";
import { forMerchant } from "../../src/db/merchant-scope.js";

let database: TestDatabase;

beforeAll(async () => {
  database = await freshSqlite();
});

afterAll(async () => {
  await database?.drop();
});

describe("bot storage over the key_values table", () => {
  it("keeps sessions and conversations apart, under namespaced keys", async () => {
    const storage = databaseStorage(database.db, 1);
    await storage.session.write("42", { language: "km" });
    expect(await storage.session.read("42")).toEqual({ language: "km" });
    expect(await storage.conversations.read("42")).toBeUndefined();
    const keys = (await database.db.keyValue.findMany()).map((r) => r.key);
    expect(keys).toEqual(["session:1:42"]);
    await storage.session.write("42", { language: "en" });
    expect(await storage.session.read("42")).toEqual({ language: "en" });
    await storage.session.delete("42");
    expect(await storage.session.read("42")).toBeUndefined();
  });

  it("keeps each merchant's bot apart: the same chat with two shops' bots has two sessions, conversations and rate limits", async () => {
    const [a, b] = [databaseStorage(database.db, 1), databaseStorage(database.db, 2)];
    await a.session.write("77", { language: "km" });
    await a.conversations.write("77", { version: [0, 1], state: { topup: [] } });
    expect(await b.session.read("77")).toBeUndefined();
    expect(await b.conversations.read("77")).toBeUndefined();
    expect(await a.acquire("check:77", 60_000)).toBe(true);
    expect(await b.acquire("check:77", 60_000)).toBe(true);
    expect(await a.session.read("77")).toEqual({ language: "km" });
  });

  it("survives a new storage object (a restart or another instance)", async () => {
    await databaseStorage(database.db, 1).conversations.write("7", { version: [0, 1], state: { topup: [] } });
    expect(await databaseStorage(database.db, 1).conversations.read("7")).toEqual({ version: [0, 1], state: { topup: [] } });
  });

  it("acquire: once per window, across storage objects, free again after the window", async () => {
    const a = databaseStorage(database.db, 1);
    const b = databaseStorage(database.db, 1);
    expect(await a.acquire("check:1", 300)).toBe(true);
    expect(await b.acquire("check:1", 300)).toBe(false);
    expect(await a.acquire("check:2", 300)).toBe(true);
    await new Promise((r) => setTimeout(r, 350));
    const raced = await Promise.all([a.acquire("check:1", 300), b.acquire("check:1", 300)]);
    expect(raced.filter(Boolean)).toHaveLength(1);
  });
});

describe("bot storage over Redis", () => {
  let server: ChildProcess | undefined;
  let storages: BotStorage[] = [];

  beforeAll(async () => {
    const port = await freePort();
    server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    const spawned = new Promise<never>((_, reject) => server!.once("error", (err) => reject(new Error(`redis-server could not start (${err.message}); install it to run this test`))));
    const url = `redis://127.0.0.1:${port}`;
    const config = { runtime: { redisUrl: url } } as Config;
    storages = [createBotStorage({ config, database: forMerchant(database, 1) }), createBotStorage({ config, database: forMerchant(database, 1) })];
    await Promise.race([spawned, waitForRedis(url)]);
  });

  afterAll(async () => {
    for (const s of storages) await s.close();
    server?.kill();
  });

  it("shares sessions and conversations between instances, namespaced apart", async () => {
    const [a, b] = storages as [BotStorage, BotStorage];
    await a.session.write("42", { language: "km" });
    await a.conversations.write("42", { version: [0, 1], state: {} });
    expect(await b.session.read("42")).toEqual({ language: "km" });
    expect(await b.conversations.read("42")).toEqual({ version: [0, 1], state: {} });
    await b.session.delete("42");
    expect(await a.session.read("42")).toBeUndefined();
    expect(await a.conversations.read("42")).toEqual({ version: [0, 1], state: {} });
  });

  it("acquire: once per window across instances", async () => {
    const [a, b] = storages as [BotStorage, BotStorage];
    const raced = await Promise.all([a.acquire("check:9", 300), b.acquire("check:9", 300)]);
    expect(raced.filter(Boolean)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 350));
    expect(await b.acquire("check:9", 300)).toBe(true);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForRedis(url: string): Promise<void> {
  // Commands wait in the offline queue until the freshly started server accepts the connection.
  const client = new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: 100 });
  client.on("error", () => undefined);
  try {
    await client.ping();
  } finally {
    client.disconnect();
  }
}
