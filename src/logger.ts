import pino, { type Logger } from "pino";
import { Writable } from "node:stream";
import { PROVIDER_CONFIGS } from "./config/providers/index.js";
import { redactUrlCredentials } from "./config/redact-url.js";

export type { Logger };

/** Header and field names whose values are secrets, at the top level of a log object and one level down. */
const SECRET_KEYS = [
  "authorization", "Authorization", "x-api-key", "X-Api-Key", "x-telegram-bot-api-secret-token",
  "password", "client_secret", "access_token", "refresh_token", "token", "key", "secret", "hash", "sign",
  ...PROVIDER_CONFIGS.flatMap((d) => ("secretLogFields" in d ? d.secretLogFields : [])),
];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [`["${k}"]`, `*["${k}"]`]);

/**
 * A logger that redacts known secret fields and, as a second line of defence, masks every
 * configured secret value wherever it appears in a line (URLs, error messages, raw payloads),
 * and the password of every URL (a DATABASE_URL or REDIS_URL quoted by a driver's error).
 */
export function createLogger(opts: { level: string; secrets: readonly (string | undefined)[]; destination?: NodeJS.WritableStream }): Logger {
  // Also the URL-encoded and JSON-escaped forms, as a secret appears in a query string or a raw payload.
  const secrets = [...new Set(opts.secrets.filter((s): s is string => typeof s === "string" && s.length >= 4).flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]))]
    .sort((a, b) => b.length - a.length);
  const out = opts.destination ?? process.stdout;
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      let line = chunk.toString("utf8");
      for (const s of secrets) line = line.split(s).join("[REDACTED]");
      out.write(line.includes("@") ? redactUrlCredentials(line) : line);
      done();
    },
  });
  return pino({ level: opts.level, redact: { paths: REDACT_PATHS, censor: "[REDACTED]" } }, stream);
}
