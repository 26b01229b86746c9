import pino, { type Logger } from "pino";
import { Writable } from "node:stream";
import { PROVIDER_CONFIGS } from "./config/providers/index.js";
import { redactUrlCredentials } from "./config/redact-url.js";
import { createSecretMask, type SecretMask } from "./secret-mask.js";

export type { Logger };

/** Header and field names whose values are secrets, at the top level of a log object and one level down. */
const SECRET_KEYS = [
  "authorization", "Authorization", "x-api-key", "X-Api-Key", "x-telegram-bot-api-secret-token",
  "password", "client_secret", "access_token", "refresh_token", "token", "key", "secret", "hash", "sign",
  ...PROVIDER_CONFIGS.flatMap((d) => ("secretLogFields" in d ? d.secretLogFields : [])),
];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [`["${k}"]`, `*["${k}"]`]);

const MASKS = new WeakMap<Logger, SecretMask>();

/**
 * A logger that redacts known secret fields and, as a second line of defence, masks every
 * configured secret value wherever it appears in a line (URLs, error messages, raw payloads),
 * and the password of every URL (a DATABASE_URL or REDIS_URL quoted by a driver's error).
 * `secrets` are the environment's; a platform adds each merchant's as it serves it (secretMaskOf).
 */
export function createLogger(opts: { level: string; secrets: readonly (string | undefined)[]; destination?: NodeJS.WritableStream }): Logger {
  const mask = createSecretMask();
  mask.set("environment", opts.secrets);
  const out = opts.destination ?? process.stdout;
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = mask.mask(chunk.toString("utf8"));
      out.write(line.includes("@") ? redactUrlCredentials(line) : line);
      done();
    },
  });
  const log = pino({ level: opts.level, redact: { paths: REDACT_PATHS, censor: "[REDACTED]" } }, stream);
  MASKS.set(log, mask);
  return log;
}

/** The mask of a logger made by createLogger or of one of its children (pino makes a child on its parent's prototype); undefined for any other logger. */
export function secretMaskOf(log: Logger): SecretMask | undefined {
  for (let l: object | null = log; l !== null; l = Object.getPrototypeOf(l) as object | null) {
    const mask = MASKS.get(l as Logger);
    if (mask !== undefined) return mask;
  }
  return undefined;
}
