import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** Issue 20, item 2: Docker that is safe by default. No Docker here: the files are parsed and checked. */
const ROOT = join(import.meta.dirname, "../..");
// A YAML parser is all this test needs (js-yaml, a development dependency).
const yaml = createRequire(import.meta.url)("js-yaml") as { load(text: string): unknown };
type Service = { ports?: string[]; environment?: Record<string, string>; volumes?: string[]; env_file?: unknown; healthcheck?: unknown };
type ComposeFile = { services: Record<string, Service>; volumes?: Record<string, unknown> };
const read = (name: string) => readFileSync(join(ROOT, name), "utf8");
const compose = (name: string) => yaml.load(read(name)) as ComposeFile;

describe("compose.yaml (one shop)", () => {
  const file = compose("compose.yaml");
  const bot = file.services.bot!;

  it("publishes the bot on 127.0.0.1 only; only Caddy faces the internet", () => {
    expect(bot.ports).toEqual(["127.0.0.1:8080:8080"]);
    expect(file.services.caddy!.ports).toEqual(["80:80", "443:443"]);
    for (const [name, service] of Object.entries(file.services)) {
      if (name !== "caddy") for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it("pins HTTP_HOST, HTTP_PORT and the database on the volume, so .env cannot break them", () => {
    expect(bot.environment).toMatchObject({ HTTP_HOST: "0.0.0.0", HTTP_PORT: "8080", DATABASE_URL: "file:/data/bot.db" });
    expect(bot.volumes).toContain("botdata:/data");
    expect(Object.keys(file.volumes ?? {})).toContain("botdata");
  });

  it("stops without .env with a message that says what to do", () => {
    expect(bot.environment!.PUBLIC_URL).toMatch(/^\$\{PUBLIC_URL:\?.*cp \.env\.example \.env/);
  });

  it("lets Caddy forward only the webhooks and Telegram, to the bot", () => {
    const caddyfile = read("Caddyfile");
    expect(caddyfile).toContain("{$PUBLIC_URL} {");
    expect(caddyfile).toMatch(/@public path \/webhooks\/\* \/telegram/);
    expect(caddyfile).toContain("reverse_proxy bot:8080");
    expect(caddyfile).toMatch(/handle \{\s*respond 404/);
  });
});

describe("compose.postgres.yaml", () => {
  const file = compose("compose.postgres.yaml");

  it("takes the PostgreSQL password from .env, never a written one", () => {
    expect(file.services.postgres!.environment!.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(file.services.bot!.environment!.DATABASE_URL).toMatch(/^postgresql:\/\/bot:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/bot$/);
    for (const service of Object.values(file.services)) expect(service.ports).toBeUndefined();
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

  it("runs as node with the program's files owned by root (not writable by the user that runs them)", () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toContain("--chown");
    expect(runtime).toContain("chown node:node /data");
  });

  it("checks health on the container's own address, where the published port leads", () => {
    expect(runtime).toContain('CMD ["node", "dist/startup/healthcheck.js"]');
    expect(read("src/startup/healthcheck.ts")).toContain("!i.internal");
  });

  it("ships node_modules cut down to what the compiled program loads", () => {
    expect(dockerfile).toContain("sh scripts/slim-runtime.sh");
    expect(read("scripts/slim-runtime.sh")).toMatch(/npm uninstall .*--omit=dev.* prisma tsx/);
  });
});
