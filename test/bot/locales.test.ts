import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROVIDER_NAMES } from "../../src/config/config.js";
import { botI18n } from "../../src/bot/i18n.js";

const root = join(import.meta.dirname, "../..");
const keysOf = (locale: string) =>
  new Set([...readFileSync(join(root, "locales", `${locale}.ftl`), "utf8").matchAll(/^([a-z][a-z0-9-]*) =/gm)].map((m) => m[1]!));
/** key → the $variables its text uses (a message runs until the next line that starts at column 0). */
function variablesOf(locale: string): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of readFileSync(join(root, "locales", `${locale}.ftl`), "utf8").split("\n")) {
    const start = /^([a-z][a-z0-9-]*) =/.exec(line);
    if (start) result.set(start[1]!, (current = new Set()));
    else if (!/^\s/.test(line)) current = undefined;
    for (const m of line.matchAll(/\$([a-zA-Z]+)/g)) current?.add(m[1]!);
  }
  return result;
}
const en = keysOf("en");
const km = keysOf("km");
const isAdminKey = (key: string) => key.startsWith("admin-") || /^command-(refund|report|find|pending|recredit|credit)$/.test(key);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("locales", () => {
  it("Khmer has exactly the keys of English, admin texts included", () => {
    expect([...km].sort()).toEqual([...en].sort());
    expect([...km].filter(isAdminKey).length).toBeGreaterThan(50);
  });

  it("Khmer texts use no variable the English text does not (the code passes what English needs; a missing one throws)", () => {
    const enVars = variablesOf("en");
    const extra = [...variablesOf("km")].flatMap(([key, vars]) => [...vars].filter((v) => !enVars.get(key)?.has(v)).map((v) => `${key}: $${v}`));
    expect(extra).toEqual([]);
    expect(enVars.get("card-caption")).toEqual(new Set(["amount", "reference", "expires"]));
  });

  it("has every key the bot uses", () => {
    const used = new Set<string>();
    for (const file of [...sourceFiles(join(root, "src/bot")), ...sourceFiles(join(root, "src/operator"))]) {
      const code = readFileSync(file, "utf8");
      // Keys passed straight to t(...), and every hyphenated literal (keys picked in ternaries or tables).
      for (const m of code.matchAll(/\bt\("([a-z][a-z0-9-]*)"/g)) if (m[1] !== "en") used.add(m[1]!);
      for (const m of code.matchAll(/"([a-z]+(?:-[a-z0-9]+)+)"/g)) used.add(m[1]!);
    }
    for (const name of PROVIDER_NAMES) used.add(`provider-${name}`);
    expect(used.size).toBeGreaterThan(60);
    expect([...used].filter((k) => !en.has(k))).toEqual([]);
  });

  it("the Khmer texts are written in Khmer", () => {
    const i18n = botI18n();
    const source = readFileSync(join(root, "locales/km.ftl"), "utf8");
    const vars = Object.fromEntries([...source.matchAll(/\$([a-zA-Z]+)/g)].map((m) => [m[1]!, "x"]));
    const languageNeutral = (k: string) =>
      k.startsWith("provider-") || k.startsWith("language-button-") || ["menu-language", "command-language", "history-line", "admin-find-topup-line"].includes(k);
    const notKhmer = [...km]
      .filter((k) => !languageNeutral(k))
      .filter((k) => !/[\u1780-\u17FF]/.test(i18n.t("km", k, { ...vars, state: "PENDING", status: "PENDING", currency: "USD" })));
    expect(notKhmer).toEqual([]);
    expect(i18n.t("km", "menu-topup")).toContain("បញ្ចូលទឹកប្រាក់");
    expect(i18n.t("km", "menu-balance")).toContain("សមតុល្យ");
    expect(i18n.t("km", "menu-history")).toContain("ប្រវត្តិ");
  });

  it("inserts values without invisible isolation marks", () => {
    expect(botI18n().t("en", "link-done", { login: "dara" })).toBe("✅ Linked to the panel account dara.");
  });
});
