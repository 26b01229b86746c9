import { describe, expect, it } from "vitest";
import { createSecretMask, REDACTED } from "../../src/secret-mask.js";

describe("secret mask", () => {
  it("masks every owner's values, encoded forms too, leftmost and longest first", () => {
    const mask = createSecretMask();
    mask.set("environment", ["env-secret-1", undefined, "abc"]);
    mask.set("merchant 2", ["m2/key+x", "m2/key+x-longer"]);
    expect(mask.mask("a env-secret-1 b m2/key+x-longer c m2%2Fkey%2Bx d abc")).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED} d abc`);
    expect(mask.mask('{"v":"q\\"uoted-secret"}')).toBe('{"v":"q\\"uoted-secret"}');
    mask.set("merchant 3", ['q"uoted-secret']);
    expect(mask.mask('{"v":"q\\"uoted-secret"}')).toBe(`{"v":"${REDACTED}"}`);
    expect(mask.mask("env-secret-1env-secret-1")).toBe(REDACTED + REDACTED);
  });

  it("replaces an owner's values, and forgets them when the owner goes, unless another owner holds the same value", () => {
    const mask = createSecretMask();
    mask.set("merchant 2", ["old-panel-key", "shared-token"]);
    mask.set("merchant 3", ["shared-token"]);
    mask.set("merchant 2", ["new-panel-key", "shared-token"]);
    expect(mask.mask("old-panel-key new-panel-key shared-token")).toBe(`old-panel-key ${REDACTED} ${REDACTED}`);
    mask.delete("merchant 2");
    expect(mask.mask("new-panel-key shared-token")).toBe(`new-panel-key ${REDACTED}`);
    mask.delete("merchant 3");
    expect(mask.mask("shared-token")).toBe("shared-token");
  });

  it("holds thousands of owners and still finds each one's values", () => {
    const mask = createSecretMask();
    for (let i = 0; i < 2_000; i++) mask.set(`merchant ${i}`, [`panel-key-${i}-x`, `bot:${i}-token`]);
    expect(mask.mask("a panel-key-1999-x b bot:7-token c panel-key-20000-x")).toBe(`a ${REDACTED} b ${REDACTED} c panel-key-20000-x`);
  });
});
