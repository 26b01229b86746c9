import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config.js";
import { readMasterKey } from "../../src/platform/master-key.js";
import { newDataKey, openValue, SealError, sealValue, unwrapDataKey, wrapDataKey } from "../../src/platform/sealed.js";

const reason = (run: () => unknown): string => {
  try {
    run();
  } catch (err) {
    if (err instanceof SealError) return err.reason;
    throw err;
  }
  return "opened";
};

describe("sealed secrets", () => {
  const master = readMasterKey({ MASTER_KEY: randomBytes(32).toString("base64") });
  const dataKey = newDataKey();

  it("a value and a data key round-trip, and the sealed text shows neither", () => {
    const sealed = sealValue(dataKey, 7, "PANEL_API_KEY", "panel-key-round-trip");
    expect(sealed).not.toContain("panel-key");
    expect(sealed).not.toContain(Buffer.from("panel-key-round-trip").toString("base64").slice(0, 12));
    expect(openValue(dataKey, 7, "PANEL_API_KEY", sealed)).toBe("panel-key-round-trip");
    const wrapped = wrapDataKey(master.key, 7, dataKey);
    expect(wrapped.startsWith(`${master.id}:`)).toBe(true);
    expect(unwrapDataKey(master.key, 7, wrapped).equals(dataKey)).toBe(true);
    // A new nonce each time: the same value never seals to the same text.
    expect(sealValue(dataKey, 7, "PANEL_API_KEY", "panel-key-round-trip")).not.toBe(sealed);
  });

  it("a changed ciphertext, nonce or tag does not open", () => {
    const sealed = sealValue(dataKey, 7, "BAKONG_TOKEN", "bakong-token-tamper");
    const [id, body] = sealed.split(":") as [string, string];
    const raw = Buffer.from(body, "base64");
    for (const at of [0, 12, 28, raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[at]! ^= 1;
      expect(reason(() => openValue(dataKey, 7, "BAKONG_TOKEN", `${id}:${changed.toString("base64")}`)), `byte ${at}`).toBe("tampered");
    }
    expect(reason(() => openValue(dataKey, 7, "BAKONG_TOKEN", `${id}:${raw.subarray(0, 20).toString("base64")}`))).toBe("malformed");
  });

  it("a value moved to another variable or another merchant does not open", () => {
    const sealed = sealValue(dataKey, 7, "KESS_PASSWORD", "kess-password-swap");
    expect(reason(() => openValue(dataKey, 7, "KESS_API_SECRET", sealed))).toBe("tampered");
    expect(reason(() => openValue(dataKey, 8, "KESS_PASSWORD", sealed))).toBe("tampered");
    const wrapped = wrapDataKey(master.key, 7, dataKey);
    expect(reason(() => unwrapDataKey(master.key, 8, wrapped))).toBe("tampered");
  });

  it("another key is told apart from tampering by the key id", () => {
    const other = readMasterKey({ MASTER_KEY: randomBytes(32).toString("base64") });
    const wrapped = wrapDataKey(master.key, 7, dataKey);
    expect(reason(() => unwrapDataKey(other.key, 7, wrapped))).toBe("other_key");
    expect(reason(() => openValue(newDataKey(), 7, "BAKONG_TOKEN", sealValue(dataKey, 7, "BAKONG_TOKEN", "x")))).toBe("other_key");
  });

  it("MASTER_KEY must be 32 bytes of base64: the problem names it and never quotes it", () => {
    const problems = (value: string | undefined) => {
      try {
        readMasterKey({ MASTER_KEY: value });
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
    };
    expect(problems(randomBytes(32).toString("base64"))).toEqual([]);
    expect(problems(undefined)).toEqual([expect.stringMatching(/^MASTER_KEY: required on a platform/)]);
    for (const bad of [randomBytes(16).toString("base64"), randomBytes(33).toString("base64"), `${randomBytes(32).toString("hex")}`, "not-base64-at-all-but-exactly-forty-four-ch="]) {
      const list = problems(bad);
      expect(list, bad).toEqual([expect.stringMatching(/^MASTER_KEY: must be 32 random bytes in base64/)]);
      expect(list[0]).not.toContain(bad);
    }
  });
});
