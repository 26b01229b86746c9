import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { redactUrlCredentials } from "../../src/config/redact-url.js";
import { createLogger } from "../../src/logger.js";

describe("URL credentials are masked", () => {
  it.each([
    ["https://user:pass@host/x", "https://user:***@host/x"],
    ["postgresql://khqr:p@ss:w0rd@db.internal:5432/bot", "postgresql://khqr:***@db.internal:5432/bot"],
    ["rediss://default:tok3n@cache:6380", "rediss://default:***@cache:6380"],
    ["redis://only-a-token@cache", "redis://***@cache"],
    ["htps://u:bad-scheme-pass@h", "htps://u:***@h"],
    ['{"url":"https://a:b@c/d","n":1}', '{"url":"https://a:***@c/d","n":1}'],
    ["two: https://a:one@x and ftp://b:two@y", "two: https://a:***@x and ftp://b:***@y"],
  ])("%s", (text, masked) => {
    expect(redactUrlCredentials(text)).toBe(masked);
    expect(redactUrlCredentials(masked)).toBe(masked);
  });

  it.each(["https://host/path?email=a@b.com", "mailto:a@b.com", "user@example.com", "https://host/#x@y", "file:./data/bot.db"])("leaves %s alone", (text) => {
    expect(redactUrlCredentials(text)).toBe(text);
  });

  it("the logger masks a URL's password in any field, message or error, with no secrets configured", async () => {
    let text = "";
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString("utf8");
        done();
      },
    });
    const log = createLogger({ level: "info", secrets: [], destination });
    log.info({ databaseUrl: "postgresql://khqr:db-pass-4711@db:5432/bot" }, "opening");
    log.error({ err: new Error("connect ECONNREFUSED redis://default:redis-pass-4712@cache:6379") }, "redis failed");
    log.warn("retrying https://panel:panel-pass-4713@panel.example/api");
    await new Promise((r) => setImmediate(r));
    expect(text.trim().split("\n")).toHaveLength(3);
    expect(text).not.toMatch(/db-pass-4711|redis-pass-4712|panel-pass-4713/);
    expect(text).toContain("postgresql://khqr:***@db:5432/bot");
  });
});
