import pino, { type Logger } from "pino";
import { Writable } from "node:stream";

export type { Logger };

/** Header and field names whose values are secrets wherever they appear in a log object. */
const REDACT_PATHS = [
  "*.authorization", "*.Authorization", "*.x-api-key", "*.X-Api-Key", "*.x-telegram-bot-api-secret-token",
  "*.password", "*.client_secret", "*.token", "*.key", "*.secret", "*.hash", "*.sign",
  "headers.authorization", "headers.x-api-key", "headers.x-ahnajak-signature", "headers.x-telegram-bot-api-secret-token",
];

/**
 * A logger that redacts known secret fields and, as a second line of defence, masks every
 * configured secret value wherever it appears in a line (URLs, error messages, raw payloads).
 */
export function createLogger(opts: { level: string; secrets: readonly (string | undefined)[]; destination?: NodeJS.WritableStream }): Logger {
  const secrets = [...new Set(opts.secrets.filter((s): s is string => typeof s === "string" && s.length >= 4))]
    .sort((a, b) => b.length - a.length);
  const out = opts.destination ?? process.stdout;
  const stream =
    secrets.length === 0
      ? out
      : new Writable({
          write(chunk: Buffer, _enc, done) {
            let line = chunk.toString("utf8");
            for (const s of secrets) line = line.split(s).join("[REDACTED]");
            out.write(line);
            done();
          },
        });
  return pino({ level: opts.level, redact: { paths: REDACT_PATHS, censor: "[REDACTED]" } }, stream);
}
