import { describe, expect, it } from "vitest";
import { balanceToMinor, panelUrl } from "../../src/panel/panel-call.js";

describe("balanceToMinor", () => {
  it.each([
    ["12.34", "USD", 1234],
    [12.34, "USD", 1234],
    ["12.3456", "USD", 1234],
    [0.1 + 0.2, "USD", 30],
    ["7", "USD", 700],
    ["40000.00", "KHR", 40000],
    [40000, "KHR", 40000],
  ] as const)("%s %s → %i", (value, currency, minor) => {
    expect(balanceToMinor(value, currency)).toBe(minor);
  });

  it.each([undefined, null, "", "-1.00", "1e3", "abc", {}, Number.NaN])("%s → undefined", (value) => {
    expect(balanceToMinor(value, "USD")).toBeUndefined();
  });
});

describe("panelUrl", () => {
  it("joins whatever trailing slash the base has", () => {
    expect(panelUrl("https://panel.example/", "/adminapi/v1")).toBe("https://panel.example/adminapi/v1");
    expect(panelUrl("https://panel.example", "/adminapi/v1")).toBe("https://panel.example/adminapi/v1");
  });
});
