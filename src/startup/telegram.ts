import { GrammyError, HttpError, type Bot, type Context } from "grammy";
import type { Logger } from "../logger.js";

/** Telegram refused the configuration (the token, or the webhook address): retrying cannot help, the operator must fix it. */
export class TelegramRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TelegramRefusedError";
  }
}

export interface TelegramConnection {
  /** Why the bot does not take updates yet; undefined once connected. */
  notReadyReason(): string | undefined;
  /** Resolves once connected and set up; rejects with TelegramRefusedError, or when stopped first. */
  connected: Promise<void>;
  /** Stops retrying (shutdown). */
  stop(): void;
}

export interface ConnectOptions {
  log: Logger;
  /** Runs after getMe succeeded (command menu, webhook or long polling). A failure is retried like getMe's. */
  setUp(signal: AbortSignal): Promise<void>;
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** One attempt's limit: a Telegram that accepts connections and never answers must not hold start-up. */
  attemptTimeoutMs?: number;
  /** The variable a refused token is named by (default BOT_TOKEN). */
  tokenVariable?: string;
}

/**
 * Connects the bot to Telegram in the background: getMe, then `setUp`, retried with a growing delay
 * and a log line per failed attempt naming the next try, so the HTTP server and the workers run meanwhile.
 */
export function connectTelegram<C extends Context>(bot: Bot<C>, opts: ConnectOptions): TelegramConnection {
  const firstRetryMs = opts.firstRetryMs ?? 1_000;
  const maxRetryMs = opts.maxRetryMs ?? 60_000;
  const attemptTimeoutMs = opts.attemptTimeoutMs ?? 15_000;
  const stopping = new AbortController();
  let reason: string | undefined = "connecting to Telegram";

  async function attempt(): Promise<void> {
    const timeout = AbortSignal.timeout(attemptTimeoutMs);
    const signal = AbortSignal.any([stopping.signal, timeout]);
    // getMe by hand: bot.init() retries network errors forever on its own, silently.
    // grammY types its signal with the abort-controller shim; a native AbortSignal works the same.
    try {
      if (!bot.isInited()) bot.botInfo = await bot.api.getMe(signal as Parameters<typeof bot.init>[0]);
    } catch (err) {
      if (timeout.aborted && !stopping.signal.aborted) throw new Error(`no answer within ${attemptTimeoutMs / 1000} s`);
      throw err;
    }
    await opts.setUp(stopping.signal);
  }

  const connected = (async () => {
    for (let n = 1; ; n++) {
      try {
        await attempt();
        reason = undefined;
        return;
      } catch (err) {
        if (stopping.signal.aborted) throw new Error("stopped before Telegram was reached");
        const refused = refusal(err, opts.tokenVariable ?? "BOT_TOKEN");
        if (refused) {
          reason = refused.message;
          throw refused;
        }
        const delay = Math.min(maxRetryMs, firstRetryMs * 2 ** Math.min(n - 1, 16));
        const nextAttemptAt = new Date(Date.now() + delay).toISOString();
        reason = `Telegram unreachable: ${describe(err)} (attempt ${n}, next at ${nextAttemptAt})`;
        opts.log.warn({ attempt: n, nextAttemptAt, error: describe(err) }, "cannot reach Telegram; webhooks and payments keep working, retrying");
        await sleep(delay, stopping.signal);
      }
    }
  })();
  // The caller decides what a refusal means; an unobserved rejection must not crash the process first.
  connected.catch(() => undefined);

  return {
    notReadyReason: () => reason,
    connected,
    stop: () => stopping.abort(),
  };
}

/** A refusal `setUp` throws itself (a TelegramRefusedError), or Telegram's of the token or the webhook address. */
function refusal(err: unknown, tokenVariable: string): TelegramRefusedError | undefined {
  if (err instanceof TelegramRefusedError) return err;
  if (!(err instanceof GrammyError)) return undefined;
  const what = `${err.error_code} ${err.description}`;
  if (err.error_code === 401 || (err.error_code === 404 && err.method === "getMe")) {
    return new TelegramRefusedError(`Telegram refused ${tokenVariable} (${what}): copy the token again from @BotFather`);
  }
  if (err.error_code === 400 && err.method === "setWebhook") {
    return new TelegramRefusedError(`Telegram refused the webhook address built from PUBLIC_URL (${what}): it must be a public https URL`);
  }
  return undefined;
}

/** The failure without the request URL (it carries the token). */
function describe(err: unknown): string {
  if (err instanceof GrammyError) return `${err.method}: ${err.error_code} ${err.description}`;
  if (err instanceof HttpError) {
    const inner = err.error as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
    const code = inner?.code ?? inner?.cause?.code;
    if (typeof code === "string") return code;
    return String(inner?.message ?? err.message).replace(/https?:\/\/\S+/g, "<Bot API URL>");
  }
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
