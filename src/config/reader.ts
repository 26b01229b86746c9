import { z } from "zod";
import { NO_BONUS, parseBonusTiers, type BonusTiers } from "../money/bonus.js";
import { parseAmount, type Currency } from "../money/money.js";

export type Env = Record<string, string | undefined>;

export type Reader = ReturnType<typeof reader>;

/** What @BotFather hands out: `<bot id>:<35 characters>`. */
const BOT_TOKEN_SHAPE = /^\d{1,20}:[A-Za-z0-9_-]{35}$/;

/** A loopback address is reached by nothing outside this machine (a local Bot API server, tests): http there is fine. */
export function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === "https:" || hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Plain decimal digits only: `0x10`, `1e3`, `0b101`, `1.0` and `+5` are not numbers here, whatever Number() says. */
function decimalInteger(text: string, negative: boolean): number | undefined {
  if (!(negative ? /^-?\d+$/ : /^\d+$/).test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Reads and checks variables, adding one problem per bad or missing variable. */
export function reader(env: Env, problems: string[]) {
  const raw = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const check = <T>(name: string, schema: z.ZodType<T>, value: unknown, why: string): T | undefined => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    problems.push(`${name}: ${why}`);
    return undefined;
  };
  return {
    str(name: string, required: boolean): string | undefined {
      const value = raw(name);
      if (value === undefined && required) problems.push(`${name}: required but not set`);
      return value;
    },
    url(name: string, required: boolean): string | undefined {
      const value = raw(name);
      if (value === undefined) {
        if (required) problems.push(`${name}: required but not set`);
        return undefined;
      }
      return check(name, z.url({ protocol: /^https?$/ }), value, `"${value}" is not an http(s) URL`)?.replace(/\/+$/, "");
    },
    int(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const n = decimalInteger(value, min < 0);
      if (n !== undefined && n >= min && n <= max) return n;
      problems.push(`${name}: must be a whole number from ${min} to ${max} in decimal digits (got "${value}")`);
      return fallback;
    },
    oneOf<T extends string>(name: string, options: readonly T[], fallback: T): T {
      const value = raw(name);
      if (value === undefined) return fallback;
      return check(name, z.enum(options as [T, ...T[]]), value, `must be one of ${options.join(", ")} (got "${value}")`) ?? fallback;
    },
    list(name: string, fallback: string): string[] {
      return (raw(name) ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);
    },
    amount(name: string, currency: Currency, fallback: string): number {
      return this.amountText(name, raw(name) ?? fallback, currency);
    },
    amountText(name: string, text: string, currency: Currency): number {
      const parsed = parseAmount(text, currency);
      if (parsed.ok && parsed.minor > 0) return parsed.minor;
      problems.push(`${name}: "${text}" is not a positive ${currency} amount`);
      return 0;
    },
    /** A user id is positive (is-admin compares it with the sender's); a chat id may be a group's, which is negative. */
    telegramId(name: string, text: string, opts: { negative: boolean } = { negative: false }): number {
      const n = decimalInteger(text, opts.negative);
      if (n !== undefined && n !== 0) return n;
      problems.push(`${name}: "${text}" is not a Telegram ${opts.negative ? "chat" : "user"} id (decimal digits${opts.negative ? ", a group's with a leading -" : ""})`);
      return 0;
    },
    /** Without a fallback the variable is required. */
    maxLen(name: string, max: number, fallback: string | undefined): string {
      const value = raw(name) ?? fallback;
      if (value === undefined) {
        problems.push(`${name}: required but not set`);
        return "";
      }
      if (value.length > max) problems.push(`${name}: at most ${max} characters (KHQR limit), got ${value.length}`);
      return value;
    },
    /** The token is a secret: a problem describes its shape, never quotes it. */
    botToken(name: string, opts: { required: boolean; checked: boolean }): string | undefined {
      const value = this.str(name, opts.required);
      if (value !== undefined && opts.checked && !BOT_TOKEN_SHAPE.test(value)) {
        problems.push(`${name}: does not look like a token from @BotFather (the bot's id in digits, a colon, then 35 letters, digits, _ or -)`);
      }
      return value;
    },
    mcc(name: string, fallback: string): string {
      const value = raw(name) ?? fallback;
      if (!/^\d{4}$/.test(value)) problems.push(`${name}: must be 4 digits`);
      return value;
    },
    databaseUrl(name: string, fallback: string): string {
      const value = raw(name) ?? fallback;
      if (!/^(file:|postgres(ql)?:\/\/)/.test(value)) problems.push(`${name}: must start with file:, postgres:// or postgresql://`);
      return value;
    },
    redisUrl(name: string): string | undefined {
      const value = raw(name);
      if (value !== undefined && !/^rediss?:\/\//.test(value)) problems.push(`${name}: must start with redis:// or rediss://`);
      return value;
    },
    bonusTiers(name: string, currency: Currency): BonusTiers {
      const value = raw(name);
      if (value === undefined) return { ...NO_BONUS, currency };
      const parsed = parseBonusTiers(value, currency);
      if (parsed.ok) return parsed.bonus;
      problems.push(`${name}: ${parsed.problem}`);
      return { ...NO_BONUS, currency };
    },
    timeOfDay(name: string): number | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
      if (!match) {
        problems.push(`${name}: "${value}" is not a time of day as HH:MM (00:00 to 23:59)`);
        return undefined;
      }
      return Number(match[1]) * 60 + Number(match[2]);
    },
    payloadTemplate(name: string): Record<string, string> | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        problems.push(`${name}: must be the JSON template configured at Ahnajak, e.g. {"order_id":"{{transaction_id}}",...}`);
        return undefined;
      }
      return check(name, z.record(z.string(), z.string()), parsed, "must be a JSON object of field name to {{variable}}");
    },
  };
}
