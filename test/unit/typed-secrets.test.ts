import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { typedSecretMask } from "../../src/operator/typed-secrets.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
  return { lines, log: createLogger({ level: "info", secrets: [], destination }) };
}

describe("secret answers typed into /newshop", () => {
  it("are masked in the log from the moment they are read, through the operators' child logger, whole and word by word", async () => {
    const { lines, log } = capture();
    const child = log.child({ bot: "operators" }).child({ chat: 1 });
    const typed = "KESS_API_KEY=kess-key-5f1c2a\nKESS_PASSWORD=pw-77aa91 KESS_CLIENT_ID=client-0042";
    child.info(`before: ${typed}`);
    typedSecretMask(child)(typed);
    child.info(`after: kess-key-5f1c2a pw-77aa91 client-0042 and 123456:AAE-bot-token-z`);
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toContain("kess-key-5f1c2a");
    expect(lines[1]).not.toMatch(/kess-key-5f1c2a|pw-77aa91|client-0042/);
    expect(lines[1]).toContain("123456:AAE-bot-token-z");
  });

  it("keep only the latest messages masked (bounded, whoever typed them)", async () => {
    const { lines, log } = capture();
    const maskTyped = typedSecretMask(log);
    maskTyped("first-secret-0001");
    for (let i = 0; i < 64; i++) maskTyped(`later-secret-${i}`);
    log.info("first-secret-0001 later-secret-63");
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toContain("first-secret-0001");
    expect(lines[0]).not.toContain("later-secret-63");
  });
});
