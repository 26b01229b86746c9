import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SECRET_VARIABLES } from "../../src/config/config.js";
import { reader } from "../../src/config/reader.js";
import { PANELS } from "../../src/panel/panel-descriptors.js";
import { PROVIDERS } from "../../src/payments/providers/index.js";

const ROOT = join(import.meta.dirname, "../..");

/** The variable names a descriptor's `read` asks for, by handing it an environment that records each lookup. */
function variablesRead(read: (typeof PROVIDERS)[number]["config"]["read"]): string[] {
  const asked = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => {
      if (typeof name === "string") asked.add(name);
      return undefined;
    },
  });
  read(reader(env, []), []);
  return [...asked].sort();
}

describe("provider descriptors", () => {
  it("each provider reads exactly the variables its descriptor declares, under its own prefix", () => {
    for (const d of PROVIDERS) {
      expect(variablesRead(d.config.read), d.name).toEqual(Object.keys(d.config.variables).sort());
      for (const name of Object.keys(d.config.variables)) expect(name.startsWith(`${d.name.toUpperCase()}_`), name).toBe(true);
    }
  });

  it("every secret variable of a provider is in SECRET_VARIABLES, and no other of its variables is", () => {
    for (const d of PROVIDERS) {
      for (const [name, spec] of Object.entries(d.config.variables)) expect((SECRET_VARIABLES as readonly string[]).includes(name), name).toBe(spec.secret);
    }
  });

  it("each names its simulator in sandbox/providers/, and .env.example documents its variables", () => {
    const example = readFileSync(join(ROOT, ".env.example"), "utf8");
    for (const d of PROVIDERS) {
      expect(existsSync(join(ROOT, "sandbox/providers", `${d.simulator}.ts`)), d.simulator).toBe(true);
      for (const name of Object.keys(d.config.variables)) expect(example, name).toContain(name);
    }
  });

  it("names and webhook routes are unique", () => {
    expect(new Set(PROVIDERS.map((d) => d.name)).size).toBe(PROVIDERS.length);
    const routes = PROVIDERS.flatMap((d) => (d.webhookRoute ? [d.webhookRoute] : []));
    expect(new Set(routes).size).toBe(routes.length);
  });

  it("each panel type names its simulator in sandbox/panels/", () => {
    for (const [type, d] of Object.entries(PANELS)) expect(existsSync(join(ROOT, "sandbox/panels", `${d.simulator}.ts`)), type).toBe(true);
  });
});
